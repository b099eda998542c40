/**
 * Scrapes one collector once and prints its text, for a test that must run the collector in a process of its
 * own (in a mount namespace the test prepared). Arguments: the collector's name, and a JSON object of its flags
 * (key -> the value as a command line would give it). A failure (or 10 s without an answer) is printed on
 * stderr, exit 1.
 */
import type { FlagSet, FlagValues } from "@agent/core";
import { allCollectors } from "../collectors/all.ts";
import { instantiate, scrapeText } from "./golden.ts";

const [name = "", json = "{}"] = process.argv.slice(2);
const collector = allCollectors.find((c) => c.name === name);
if (!collector) throw new Error(`no collector ${name}`);
const flags: FlagSet = collector.flags ?? {};
const config: Partial<FlagValues<FlagSet>> = {};
for (const [key, raw] of Object.entries(JSON.parse(json) as Record<string, unknown>)) {
  const spec = flags[key];
  if (!spec) throw new Error(`collector ${name} has no flag ${key}`);
  config[key] = spec.parse(raw);
}
try {
  // a deadline as a scrape has, so that a hang fails naming the call that waited
  process.stdout.write(await scrapeText(instantiate(collector, { config }), { signal: AbortSignal.timeout(10_000) }));
} catch (e) {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
}
