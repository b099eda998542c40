import { defineCollector } from "../collector.ts";
import { parseEnvFile, readText, rootfsPath } from "../read.ts";

const INFO_LABELS = ["build_id", "id", "id_like", "image_id", "image_version", "name", "pretty_name", "variant", "variant_id", "version", "version_codename", "version_id"];

/** The leading number of VERSION_ID ("22.04" -> 22.04, "12" -> 12, "rolling" -> 0). */
function versionNumber(v: string): number {
  let end = 0;
  let dot = false;
  while (end < v.length) {
    const c = v.charCodeAt(end);
    if (c === 46 && !dot) dot = true;
    else if (c < 48 || c > 57) break;
    end++;
  }
  const n = Number(v.slice(0, end).replace(/\.$/, ""));
  return end === 0 || Number.isNaN(n) ? 0 : n;
}

export const os = defineCollector({
  name: "os",
  defaultEnabled: true,
  collect(out, { paths }) {
    const text = readText(rootfsPath(paths, "/etc/os-release")) ?? readText(rootfsPath(paths, "/usr/lib/os-release"));
    if (text === null) return;
    const env = parseEnvFile(text);
    const labels: Record<string, string> = {};
    for (const l of INFO_LABELS) labels[l] = env.get(l.toUpperCase()) ?? "";
    out.gauge("node_os_info", "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.", 1, labels);
    if (env.has("VERSION_ID")) {
      out.gauge("node_os_version", "Metric containing the major.minor part of the OS version.", versionNumber(env.get("VERSION_ID")!), {
        id: labels.id!,
        id_like: labels.id_like!,
        name: labels.name!,
      });
    }
  },
});
