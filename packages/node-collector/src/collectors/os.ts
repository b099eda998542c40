import { statSync } from "node:fs";
import { defineCollector, NoDataError, type NodePaths } from "../collector.ts";
import { parseEnvFile, readText, rootfsPath } from "../read.ts";

const INFO_LABELS = ["build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id"];

/** The leading number of VERSION_ID ("22.04" -> 22.04, "12" -> 12, "rolling" -> 0). */
function versionNumber(v: string): number {
  const lead = /^\d*(?:\.\d*)?/.exec(v)![0];
  const n = Number(lead.replace(/\.$/, ""));
  return lead === "" || Number.isNaN(n) ? 0 : n;
}

interface Release {
  /** The file and the stat it was read under. */
  key: string;
  labels: Record<string, string>;
  version: number | null;
}

function parseRelease(key: string, text: string): Release {
  const env = parseEnvFile(text);
  const labels: Record<string, string> = {};
  for (const l of INFO_LABELS) labels[l] = env.get(l.toUpperCase()) ?? "";
  return { key, labels, version: env.has("VERSION_ID") ? versionNumber(env.get("VERSION_ID")!) : null };
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
        const { labels, version } = release;
        out.gauge("node_os_info", "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.", 1, labels);
        if (version !== null) {
          out.gauge("node_os_version", "Metric containing the major.minor part of the OS version.", version, {
            id: labels.id!,
            id_like: labels.id_like!,
            name: labels.name!,
          });
        }
      },
    };
  },
});
