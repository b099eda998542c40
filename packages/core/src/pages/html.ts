/**
 * hono's `html` tag for the pages: every interpolated string is escaped unless it is itself `Html` (built by
 * this tag, or marked with `raw`). Only plain values go in, never a promise, so the result is synchronous.
 */
import { html as honoHtml, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Html = HtmlEscapedString;
type Part = string | number | boolean | null | undefined | Html;

export function html(strings: TemplateStringsArray, ...values: (Part | readonly Part[])[]): Html {
  return honoHtml(strings, ...values) as Html;
}

export { raw };
