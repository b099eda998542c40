/** The Pushgateway URL path for a group (core's pushPath), after the checks a client owes its caller. */
import { isValidLabelName, pushPath } from "@agent/core/exposition";
import { PushError } from "./errors.ts";

export type GroupingKey = Readonly<Record<string, string>>;

/** Throws a "config" PushError naming the label at fault. */
export function groupingPath(job: string, key: GroupingKey = {}): string {
  if (job === "") throw new PushError("config", "the job name must not be empty");
  for (const name of Object.keys(key)) {
    if (name === "job") throw new PushError("config", '"job" is given separately, not as a grouping label');
    if (!isValidLabelName(name) || name.startsWith("__")) {
      throw new PushError("config", `"${name}" is not a valid grouping label name`);
    }
  }
  return pushPath(job, Object.entries(key));
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
