/**
 * Push paths, as the push client writes them and the push role links to its groups: `/metrics/job/<job>`
 * then `/<label>/<value>` per grouping label. Pushgateway percent-decodes the whole path before splitting it
 * at `/`, so a value with `/` in it, or an empty one, goes as `<label>@base64/<base64url>` (unpadded, as
 * client_golang writes it; `=` for ""); any other value is percent-encoded. A label name that is not classic
 * is written in the `U__` escaping Pushgateway reads (--push.enable-utf8-names).
 */
import { escapeName } from "./escaping.ts";
import { isValidLabelName } from "./model.ts";

/** One `/<label>/<value>` step of a push path. */
export function pushPathSegment(name: string, value: string): string {
  const label = isValidLabelName(name) ? name : escapeName(name, "values");
  if (value === "") return `/${label}@base64/=`;
  if (value.includes("/")) return `/${label}@base64/${Buffer.from(value, "utf8").toString("base64url")}`;
  return `/${label}/${encodeURIComponent(value)}`;
}

/** The path of the group `job` plus `labels`, in the order given. */
export function pushPath(job: string, labels: Iterable<readonly [string, string]>): string {
  let path = "/metrics" + pushPathSegment("job", job);
  for (const [name, value] of labels) path += pushPathSegment(name, value);
  return path;
}
