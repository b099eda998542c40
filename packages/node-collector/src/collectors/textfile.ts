import { statSync } from "node:fs";
import { flag, parseText, type MetricFamily, type MetricSet } from "@agent/core";
import { defineCollector, type CollectContext } from "../collector.ts";
import { listDir, readText } from "../read.ts";

interface Merged {
  family: MetricFamily;
  files: string[];
}

/** Parses one file; returns its families, or the reason it is skipped. */
function readFile(path: string): MetricFamily[] | string {
  let text: string | null;
  try {
    text = readText(path);
  } catch (e) {
    return (e as Error).message;
  }
  if (text === null) return "file vanished";
  let families: MetricFamily[];
  try {
    families = parseText(text);
  } catch (e) {
    return (e as Error).message;
  }
  for (const f of families) {
    if (f.samples.some((s) => s.timestampMs !== undefined)) return `metric ${f.name} has a timestamp, which textfiles must not set`;
  }
  return families;
}

/**
 * Reads every *.prom file in the directories, in name order. A file that does not parse, or carries
 * timestamps, is skipped and sets node_textfile_scrape_error; the other files are still served. A family
 * in several files is merged when the types agree; help defaults to the files it came from.
 */
export function collectTextfiles(out: MetricSet, dirs: readonly string[], log: CollectContext["log"]): void {
  let error = 0;
  const merged = new Map<string, Merged>();
  const mtime = out.family("node_textfile_mtime_seconds", "gauge", "Unixtime mtime of textfiles successfully read.");
  for (const dir of dirs) {
    for (const name of listDir(dir).filter((n) => n.endsWith(".prom")).sort()) {
      const path = dir.replace(/\/+$/, "") + "/" + name;
      const parsed = readFile(path);
      if (typeof parsed === "string") {
        log.error("failed to read textfile", { file: path, err: parsed });
        error = 1;
        continue;
      }
      let seconds: number;
      try {
        seconds = statSync(path).mtimeMs / 1000;
      } catch (e) {
        log.error("failed to stat textfile", { file: path, err: (e as Error).message });
        error = 1;
        continue;
      }
      for (const f of parsed) {
        const m = merged.get(f.name);
        if (!m) {
          merged.set(f.name, { family: { ...f, samples: [...f.samples] }, files: [path] });
        } else if (m.family.type !== f.type) {
          log.error("textfile family type differs from an earlier file, skipped", { file: path, family: f.name });
          error = 1;
        } else {
          m.family.samples.push(...f.samples);
          m.files.push(path);
          m.family.help ??= f.help;
        }
      }
      mtime.add(Math.round(seconds), { file: path });
    }
  }
  for (const { family, files } of merged.values()) {
    const fam = out.family(family.name, family.type, family.help ?? `Metric read from ${files.join(", ")}`);
    for (const s of family.samples) fam.add(s.value, s.labels, s.name.slice(family.name.length));
  }
  out.gauge("node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise", error);
}

export const textfile = defineCollector({
  name: "textfile",
  defaultEnabled: true,
  flags: {
    directory: flag.list("collector.textfile.directory", [], "Directories to read text files with metrics from (comma-separated)."),
  },
  collect(out, { config, log }) {
    collectTextfiles(out, config.directory, log);
  },
});
