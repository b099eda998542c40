import { flag, parseText, type Logger, type MetricFamily, type MetricSet, type Sample } from "@agent/core";
import { untilAborted } from "../abort.ts";
import { defineCollector } from "../collector.ts";
import { TextfileThreads } from "./textfile-thread.ts";
import type { TextfileReply } from "./textfile-worker.ts";

interface Merged {
  family: MetricFamily;
  files: string[];
  /** Series keys of the samples kept so far. */
  series: Set<string>;
}

/** A sample's identity: its name and its labels in name order, an empty value counting as no label. */
function seriesKey(s: Sample): string {
  const names = Object.keys(s.labels).filter((k) => s.labels[k] !== "");
  if (names.length > 1) names.sort();
  let key = s.name;
  for (const k of names) key += "\xff" + k + "\xfe" + s.labels[k];
  return key;
}

/** Appends the samples whose series `m` does not have yet; returns how many were dropped as repeats. */
function addSeries(m: Merged, samples: readonly Sample[]): number {
  let dropped = 0;
  for (const s of samples) {
    const key = seriesKey(s);
    if (m.series.has(key)) {
      dropped++;
    } else {
      m.series.add(key);
      m.family.samples.push(s);
    }
  }
  return dropped;
}

/** Parses one file's text; returns its families, or the reason it is skipped. */
function parseFile(text: string): MetricFamily[] | string {
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

export interface TextfileOptions {
  /** A file larger than this is an error and is not read (--collector.textfile.max-bytes). */
  maxBytes: number;
  log: Logger;
  /** Aborted when the collector must stop waiting on reads and serve what it has. */
  signal: AbortSignal;
  threads: TextfileThreads;
}

/** One file read and parsed, or why something was skipped (a log message and its fields). */
type Read = { file: string; families: MetricFamily[]; mtimeSeconds: number } | { failed: string; fields: Record<string, string> };

/**
 * Every *.prom file of `dir` (a directory or a glob of them) in name order, read on its own thread, unless the
 * signal fires first.
 */
async function readDirectory(dir: string, opts: TextfileOptions): Promise<Read[]> {
  let replies: TextfileReply[];
  try {
    replies = await untilAborted(opts.threads.read(dir, opts.maxBytes), opts.signal);
  } catch (e) {
    return [{ failed: "textfile directory still being read, skipped", fields: { path: dir, err: (e as Error).message } }];
  }
  return replies.flatMap((reply) => readsOf(dir, reply));
}

function readsOf(dir: string, reply: TextfileReply): Read[] {
  if ("error" in reply) return [{ failed: "failed to read textfile collector directory", fields: { path: dir, err: reply.error } }];
  return reply.files.map((read): Read => {
    if ("error" in read) return { failed: "failed to read textfile", fields: { file: read.path, err: read.error } };
    const families = parseFile(read.text);
    if (typeof families === "string") return { failed: "failed to read textfile", fields: { file: read.path, err: families } };
    // node_exporter's mtime is whole seconds, truncated.
    return { file: read.path, families, mtimeSeconds: Math.floor(read.mtimeMs / 1000) };
  });
}

/**
 * Reads every *.prom file in the directories off the main thread, each directory on a thread of its own
 * (see textfile-worker.ts), so that one on a hung mount holds up only its own files. A directory that cannot
 * be listed or is still being read when the signal fires, and a file that cannot be read (not a regular
 * file, over the size cap), does not parse, or carries timestamps, sets node_textfile_scrape_error and is
 * logged; the other files are still served. Files are merged in directory order, then name order. A family
 * in several files is merged when the types agree; help defaults to the files it came from. A series already
 * read from an earlier file is dropped and logged with the error left alone, as node_exporter's gatherer does.
 */
export async function collectTextfiles(out: MetricSet, dirs: readonly string[], opts: TextfileOptions): Promise<void> {
  const { log } = opts;
  let error = 0;
  const fail = (msg: string, fields: Record<string, string>) => {
    log.error(msg, fields);
    error = 1;
  };
  const merged = new Map<string, Merged>();
  const mtimes: [string, number][] = [];
  for (const read of (await Promise.all(dirs.map((dir) => readDirectory(dir, opts)))).flat()) {
    if ("failed" in read) {
      fail(read.failed, read.fields);
      continue;
    }
    const { file } = read;
    for (const f of read.families) {
      let m = merged.get(f.name);
      if (!m) {
        m = { family: { ...f, samples: [] }, files: [], series: new Set() };
        merged.set(f.name, m);
      } else if (m.family.type !== f.type) {
        fail("textfile family type differs from an earlier file, skipped", { file, family: f.name });
        continue;
      } else if (m.family.help !== undefined && f.help !== undefined && f.help !== m.family.help) {
        fail("textfile family help differs from an earlier file, skipped", { file, family: f.name });
        continue;
      }
      const dropped = addSeries(m, f.samples);
      if (dropped > 0) log.error("textfile series already read, later copies dropped", { file, family: f.name, series: String(dropped) });
      m.files.push(file);
      m.family.help ??= f.help;
    }
    mtimes.push([file, read.mtimeSeconds]);
  }
  for (const { family, files } of merged.values()) {
    const fam = out.family(family.name, family.type, family.help ?? `Metric read from ${files.join(", ")}`);
    for (const s of family.samples) fam.add(s.value, s.labels, s.name.slice(family.name.length));
  }
  const mtime = out.family("node_textfile_mtime_seconds", "gauge", "Unixtime mtime of textfiles successfully read.");
  for (const [file, seconds] of mtimes.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) mtime.add(seconds, { file });
  scrapeError(out, error);
}

function scrapeError(out: MetricSet, value: number): void {
  out.gauge("node_textfile_scrape_error", "1 if there was an error opening or reading a file, 0 otherwise", value);
}

/** How long before the registry's deadline the collector stops waiting, so that what it read is still served. */
const DEADLINE_MARGIN_MS = 250;

export const textfile = defineCollector({
  name: "textfile",
  defaultEnabled: true,
  flags: {
    directory: flag.list("collector.textfile.directory", [], "Directories to read text files with metrics from (comma-separated; each may be a glob)."),
    maxBytes: flag.bytes("collector.textfile.max-bytes", 64 * 1024 * 1024, "Largest textfile read; a larger one is skipped and sets node_textfile_scrape_error."),
  },
  create({ config, log }) {
    const threads = new TextfileThreads();
    return {
      collect(out, { signal, deadline }) {
        if (config.directory.length === 0) {
          scrapeError(out, 0);
          return;
        }
        if (deadline === undefined) return collectTextfiles(out, config.directory, { maxBytes: config.maxBytes, log, signal, threads });
        const stop = new AbortController();
        const timeoutMs = Math.max(1, deadline - performance.now() - DEADLINE_MARGIN_MS);
        const timer = setTimeout(() => stop.abort(new Error(`still reading after ${(timeoutMs / 1000).toFixed(2)}s (--collector.timeout)`)), timeoutMs);
        return collectTextfiles(out, config.directory, { maxBytes: config.maxBytes, log, signal: stop.signal, threads }).finally(() => clearTimeout(timer));
      },
    };
  },
});
