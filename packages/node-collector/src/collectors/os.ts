import { statSync } from "node:fs";
import { defineCollector, NoDataError, type NodePaths } from "../collector.ts";
import { parseEnvFile, readText, rootfsPath } from "../read.ts";

const INFO_LABELS = ["build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id"];

/** The leading major.minor of VERSION_ID as node_exporter reads it ("22.04" -> 22.04, "12" -> 12, "rolling" -> 0). */
function versionNumber(v: string): number {
  const lead = /^[0-9]+\.?[0-9]*/.exec(v)?.[0];
  return lead === undefined ? 0 : Number(lead.replace(/\.$/, ""));
}

/** SUPPORT_END (YYYY-MM-DD, as Go's time.DateOnly reads it) as Unix seconds at UTC midnight; throws if malformed. */
function supportEndSeconds(v: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || new Date(ms).getUTCDate() !== Number(m[3])) throw new Error(`os-release: cannot parse SUPPORT_END ${JSON.stringify(v)} as a date`);
  return ms / 1000;
}

interface Release {
  /** The file and the stat it was read under. */
  key: string;
  labels: Record<string, string>;
  /** node_os_version's value; served when above 0, as node_exporter does. */
  version: number;
  /** node_os_support_end_timestamp_seconds, when SUPPORT_END is set. */
  supportEnd: number | null;
}

function parseRelease(key: string, text: string): Release {
  const env = parseEnvFile(text);
  const labels: Record<string, string> = {};
  for (const l of INFO_LABELS) labels[l] = env.get(l.toUpperCase()) ?? "";
  const supportEnd = env.get("SUPPORT_END");
  return { key, labels, version: versionNumber(env.get("VERSION_ID") ?? ""), supportEnd: supportEnd ? supportEndSeconds(supportEnd) : null };
}

/**
 * /etc/os-release, else /usr/lib/os-release, parsed again only when a stat of it differs from `last`'s: it
 * changes on an upgrade, which replaces the file, and a stat costs much less than the read and parse.
 */
function osRelease(paths: NodePaths, last: Release | undefined): Release | null {
  for (const path of [rootfsPath(paths, "/etc/os-release"), rootfsPath(paths, "/usr/lib/os-release")]) {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) continue;
    const key = `${path}\0${st.ino}\0${st.mtimeMs}\0${st.size}`;
    if (last?.key === key) return last;
    const text = readText(path);
    if (text === null) continue;
    return parseRelease(key, text);
  }
  return null;
}

export const os = defineCollector({
  name: "os",
  defaultEnabled: true,
  create({ paths }) {
    let last: Release | undefined;
    return {
      collect(out) {
        const release = osRelease(paths, last);
        if (release === null) throw new NoDataError("os-release");
        last = release;
        const { labels, version, supportEnd } = release;
        out.gauge("node_os_info", "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.", 1, labels);
        if (version > 0) {
          out.gauge("node_os_version", "Metric containing the major.minor part of the OS version.", version, {
            id: labels.id!,
            id_like: labels.id_like!,
            name: labels.name!,
          });
        }
        if (supportEnd !== null) out.gauge("node_os_support_end_timestamp_seconds", "Metric containing the end-of-life date timestamp of the OS.", supportEnd);
      },
    };
  },
});
