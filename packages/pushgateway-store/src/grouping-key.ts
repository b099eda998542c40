/**
 * Push paths and grouping keys. `/metrics/job/<job>{/<label>/<value>}`, where `job@base64` and
 * `<label>@base64` mark URL-safe base64 values, padding optional. Percent-decoding happens on the whole
 * path before it is split, so `%2F` inside a segment is a separator, as in Pushgateway. With UTF-8 names
 * (--push.enable-utf8-names), a label name may also be any UTF-8 text or written in `U__` value escaping
 * (`U__a_2e_b` for `a.b`), which is undone, as Pushgateway 1.11 does.
 */
import { isValidLabelName, pushPath, unescapeValuesName, type NameValidation } from "@agent/core";

export type GroupLabels = Readonly<Record<string, string>>;

export type PushPath = { ok: true; labels: GroupLabels } | { ok: false; status: 400 | 404; message: string };

const PREFIX = "/metrics/job";
const BASE64_SUFFIX = "@base64";

const utf8 = new TextDecoder("utf-8", { fatal: true });

export type Decoded = { ok: true; text: string } | { ok: false; why: string };

/**
 * URL-safe base64 with optional padding; strict about the alphabet, as Go's RawURLEncoding is. The bytes must
 * be UTF-8: a label value that is not could never be scraped (Pushgateway refuses it at its consistency
 * check), and decoding it loosely would store U+FFFD in its place, a value nobody pushed.
 */
export function decodeBase64Url(text: string): Decoded {
  const s = text.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return { ok: false, why: "not URL-safe base64" };
  try {
    return { ok: true, text: utf8.decode(Buffer.from(s, "base64url")) };
  } catch {
    return { ok: false, why: "the decoded bytes are not valid UTF-8" };
  }
}

/** Parses the path of a push or delete request into its grouping labels (job included). */
export function parsePushPath(pathname: string, names: NameValidation = "legacy"): PushPath {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return { ok: false, status: 400, message: `invalid URL escape in path ${JSON.stringify(pathname)}` };
  }
  let rest: string;
  let jobBase64 = false;
  if (path.startsWith(PREFIX + BASE64_SUFFIX + "/")) {
    rest = path.slice(PREFIX.length + BASE64_SUFFIX.length + 1);
    jobBase64 = true;
  } else if (path.startsWith(PREFIX + "/")) {
    rest = path.slice(PREFIX.length + 1);
  } else {
    return { ok: false, status: 404, message: "404 page not found" };
  }
  const slash = rest.indexOf("/");
  let job = slash < 0 ? rest : rest.slice(0, slash);
  const labelPart = slash < 0 ? "" : rest.slice(slash);
  if (jobBase64) {
    const decoded = decodeBase64Url(job);
    if (!decoded.ok) return { ok: false, status: 400, message: `invalid base64 encoding in job name ${JSON.stringify(job)}: ${decoded.why}` };
    job = decoded.text;
  }
  const labels: Record<string, string> = Object.create(null);
  if (labelPart.length > 1) {
    const parts = labelPart.slice(1).split("/");
    if (parts.length % 2 !== 0) {
      return { ok: false, status: 400, message: `odd number of components in label string ${JSON.stringify(labelPart)}` };
    }
    for (let i = 0; i < parts.length; i += 2) {
      const raw = parts[i]!;
      const trimmed = raw.endsWith(BASE64_SUFFIX) ? raw.slice(0, -BASE64_SUFFIX.length) : raw;
      const name = names === "utf8" ? unescapeValuesName(trimmed) : trimmed;
      if (!isValidLabelName(name, names) || name.startsWith("__")) {
        return { ok: false, status: 400, message: `improper label name ${JSON.stringify(trimmed)}` };
      }
      let value = parts[i + 1]!;
      if (trimmed !== raw) {
        const decoded = decodeBase64Url(value);
        if (!decoded.ok) {
          return { ok: false, status: 400, message: `invalid base64 encoding for label ${name}=${JSON.stringify(value)}: ${decoded.why}` };
        }
        value = decoded.text;
      }
      labels[name] = value;
    }
  }
  if (job === "") return { ok: false, status: 400, message: "job name is required" };
  // The job in the path wins over a `job` label among the others, as in Pushgateway.
  labels.job = job;
  return { ok: true, labels: sortLabels(labels) };
}

/** A copy with keys in name order, the order every rendered series uses. */
function sortLabels(labels: GroupLabels): GroupLabels {
  const out: Record<string, string> = {};
  for (const k of Object.keys(labels).sort()) out[k] = labels[k]!;
  return out;
}

/** One string per distinct label set: names sorted, separated by bytes that cannot occur in names. */
export function groupingKey(labels: GroupLabels): string {
  let key = "";
  for (const k of Object.keys(labels).sort()) key += k + "\u0000" + labels[k] + "\u0001";
  return key;
}

/** The path that addresses this group, for links and the read API. */
export function pushPathFor(labels: GroupLabels): string {
  const others = Object.keys(labels)
    .sort()
    .filter((k) => k !== "job")
    .map((k): [string, string] => [k, labels[k]!]);
  return pushPath(labels.job ?? "", others);
}
