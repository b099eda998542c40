/**
 * The Pushgateway URL path for a group: `/metrics/job/<job>{/<label>/<value>}`. A value the path cannot carry
 * as it is (one with `/`, or an empty one) is sent in the `<label>@base64/<base64url>` form both the real
 * Pushgateway and our push role decode.
 */

import { isValidLabelName } from "@agent/core/exposition";
import { PushError } from "./errors.ts";

export type GroupingKey = Readonly<Record<string, string>>;

/** Padding kept: both stores accept it, and "" needs a non-empty path segment ("=", the padding-only form). */
function base64url(text: string): string {
  if (text === "") return "=";
  return Buffer.from(text, "utf8").toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
}

function segment(name: string, value: string): string {
  if (value === "" || value.includes("/")) return `${name}@base64/${base64url(value)}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/** Throws a "config" PushError naming the label at fault. */
export function groupingPath(job: string, key: GroupingKey = {}): string {
  if (job === "") throw new PushError("config", "the job name must not be empty");
  let path = "/metrics/" + segment("job", job);
  for (const [name, value] of Object.entries(key)) {
    if (name === "job") throw new PushError("config", '"job" is given separately, not as a grouping label');
    if (!isValidLabelName(name) || name.startsWith("__")) {
      throw new PushError("config", `"${name}" is not a valid grouping label name`);
    }
    path += "/" + segment(name, value);
  }
  return path;
}

/** The gateway URL without trailing slashes, so `http://gw:9091/` and `http://gw:9091` name one store. */
export function normalizeGatewayUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PushError("config", `gateway URL "${url}" is not a URL (e.g. http://pushgateway:9091)`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new PushError("config", `gateway URL "${url}" must start with http:// or https://`);
  }
  parsed.search = "";
  parsed.hash = "";
  return parsed.toString().replace(/\/+$/, "");
}
