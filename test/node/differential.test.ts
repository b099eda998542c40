// The node role against the real node_exporter on the same host: node_exporter, the agent, node_exporter
// again; the agent must serve node_exporter's families with the same types and series, and values that
// agree (counters inside the window the two node_exporter reads bracket).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseText, type MetricFamily } from "../../packages/core/src/index.ts";
import { startAgent, type RunningAgent } from "../harness/index.ts";
import { startNodeExporter, type RunningNodeExporter } from "./node-exporter.ts";

/** Families whose series are not comparable by design. */
const NOT_COMPARED = new Set([
  "node_exporter_build_info", // the agent has agent_build_info
  "node_scrape_collector_duration_seconds", // the collector sets differ (the agent adds gpu, 1.5 lacks some of 1.8's)
  "node_scrape_collector_success", // the collector sets differ; compared per collector below
]);
/** Labels node_exporter 1.8 added over the 1.5 oracle: ignored when comparing series. */
const LABELS_ADDED_IN_1_8 = new Set(["device_error", "adminstate"]);
const ADDED_LABEL = new RegExp(`(?<=[{,])(${[...LABELS_ADDED_IN_1_8].join("|")})="[^"]*",?`, "g");
/** Gauges that must not change between two reads a second apart. */
const STABLE_GAUGES = /^node_(memory_(MemTotal|SwapTotal|Hugepagesize|VmallocTotal)_bytes|boot_time_seconds|filefd_maximum|network_(mtu_bytes|iface_id|iface_link|flags|speed_bytes|protocol_type|info|up)|disk_info|uname_info|os_info|os_version|entropy_pool_size_bits|nf_conntrack_entries_limit|time_zone_offset_seconds|filesystem_(size_bytes|files|readonly|device_error)|textfile_scrape_error|backup_.*|time_clocksource_.*)$/;
/** Untyped families that are counters in fact: compared as counters. */
const UNTYPED_COUNTERS = /^node_(vmstat|netstat)_/;

type Series = Map<string, number>;
interface Snapshot {
  types: Map<string, string>;
  series: Map<string, Series>;
  /** Each family's lines as served, HELP and TYPE first, byte for byte. */
  blocks: Map<string, string[]>;
}

function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .filter((k) => !LABELS_ADDED_IN_1_8.has(k))
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(",");
}

function snapshot(text: string): Snapshot {
  const fams: MetricFamily[] = parseText(text);
  const snap: Snapshot = { types: new Map(), series: new Map(), blocks: blocksOf(text) };
  for (const f of fams) {
    if (!f.name.startsWith("node_")) continue;
    snap.types.set(f.name, f.type);
    const s: Series = new Map();
    for (const sample of f.samples) s.set(sample.name + "{" + seriesKey(sample.labels) + "}", sample.value);
    snap.series.set(f.name, s);
  }
  return snap;
}

function blocksOf(text: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of text.split("\n")) {
    const head = /^# HELP (\S+)/.exec(line);
    if (head) blocks.set(head[1]!, (current = []));
    current.push(line);
  }
  return blocks;
}

async function scrape(url: string): Promise<Snapshot> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  return snapshot(await res.text());
}

let textDir: string;
let ne: RunningNodeExporter;
let agent: RunningAgent;
let before: Snapshot;
let ours: Snapshot;
let after: Snapshot;

beforeAll(async () => {
  textDir = mkdtempSync(join(tmpdir(), "node-textfile-"));
  writeFileSync(join(textDir, "backup.prom"), '# HELP backup_last_success_seconds Last backup.\n# TYPE backup_last_success_seconds gauge\nbackup_last_success_seconds{job="db"} 1.7e+09\n');
  const shared = [`--collector.textfile.directory=${textDir}`];
  ne = await startNodeExporter(shared);
  agent = await startAgent({ roles: ["node"], args: shared });
  await scrape(ne.url); // warm both: first reads set up caches and lazily loaded libraries
  await scrape(agent.urls.node!);
  before = await scrape(ne.url);
  ours = await scrape(agent.urls.node!);
  after = await scrape(ne.url);
}, 60000);

afterAll(async () => {
  await agent?.stop();
  await ne?.stop();
  rmSync(textDir, { recursive: true, force: true });
});

describe("node role vs node_exporter on this host", () => {
  test("at least 95% of node_exporter's node_* families are served with the same type and the same series", () => {
    const problems: string[] = [];
    let good = 0;
    let total = 0;
    for (const [name, type] of before.types) {
      if (NOT_COMPARED.has(name)) continue;
      total++;
      const ourType = ours.types.get(name);
      if (ourType === undefined) {
        problems.push(`${name}: missing`);
        continue;
      }
      if (ourType !== type) {
        problems.push(`${name}: type ${ourType}, node_exporter says ${type}`);
        continue;
      }
      const theirs = [...before.series.get(name)!.keys()].sort();
      const mine = [...ours.series.get(name)!.keys()].sort();
      if (theirs.join("\n") !== mine.join("\n")) {
        const missing = theirs.filter((k) => !mine.includes(k));
        const extra = mine.filter((k) => !theirs.includes(k));
        problems.push(`${name}: series differ; missing ${missing.slice(0, 3).join(" ")} extra ${extra.slice(0, 3).join(" ")}`);
        continue;
      }
      good++;
    }
    console.log(`node_exporter families compared: ${total}, identical type and series: ${good}\n  ${problems.join("\n  ")}`);
    expect(total).toBeGreaterThan(100);
    expect(good / total).toBeGreaterThanOrEqual(0.95);
  });

  test("stable values agree and counters fall inside node_exporter's before/after window", () => {
    const problems: string[] = [];
    let checked = 0;
    for (const [name, type] of before.types) {
      if (NOT_COMPARED.has(name) || ours.types.get(name) !== type) continue;
      const counter = type === "counter" || UNTYPED_COUNTERS.test(name);
      const stable = STABLE_GAUGES.test(name);
      if (!counter && !stable) continue;
      for (const [key, v0] of before.series.get(name)!) {
        const mine = ours.series.get(name)!.get(key);
        const v1 = after.series.get(name)?.get(key);
        if (mine === undefined || v1 === undefined) continue;
        checked++;
        const lo = Math.min(v0, v1);
        const hi = Math.max(v0, v1);
        // A relative hair of slack for float formatting of derived values (ticks / 100, sectors * 512).
        const slack = Math.max(Math.abs(hi) * 1e-9, 1e-9);
        if (!(mine >= lo - slack && mine <= hi + slack)) problems.push(`${key}: agent ${mine}, node_exporter ${v0} .. ${v1}`);
      }
    }
    console.log(`values checked: ${checked}, outside the window: ${problems.length}\n  ${problems.slice(0, 40).join("\n  ")}`);
    expect(checked).toBeGreaterThan(200);
    expect(problems).toEqual([]);
  });

  test("node_scrape_collector_success agrees for every collector both run, absent sources (ErrNoData) included", () => {
    const theirs = before.series.get("node_scrape_collector_success")!;
    const mine = ours.series.get("node_scrape_collector_success")!;
    const both = [...theirs.keys()].filter((k) => mine.has(k));
    expect(both.length).toBeGreaterThan(25);
    expect(both.map((k) => [k, mine.get(k)])).toEqual(both.map((k) => [k, theirs.get(k)]));
  });

  test("the same bytes: HELP, TYPE, label order, series order and value spelling of stable families match node_exporter's", () => {
    const problems: string[] = [];
    let families = 0;
    let whole = 0;
    for (const [name, theirs] of before.blocks) {
      const mine = ours.blocks.get(name);
      if (!mine || NOT_COMPARED.has(name) || !name.startsWith("node_")) continue;
      // HELP and TYPE always; every line where the values do not move between reads and the series are the
      // same (the test above counts series that differ, such as a mount only one of the two could stat).
      const sameSeries = [...before.series.get(name)!.keys()].sort().join() === [...ours.series.get(name)!.keys()].sort().join();
      const stable = sameSeries && STABLE_GAUGES.test(name) && after.blocks.get(name)?.join("\n") === theirs.join("\n");
      const want = stable ? theirs : theirs.slice(0, 2);
      // Less the labels 1.8 added over the 1.5 oracle.
      const got = (stable ? mine : mine.slice(0, 2)).map((l) => l.replace(ADDED_LABEL, ""));
      families++;
      if (stable) whole++;
      if (got.join("\n") !== want.join("\n")) problems.push(`${name}:\n    node_exporter ${want.slice(0, 4).join("\n      ")}\n    agent ${got.slice(0, 4).join("\n      ")}`);
    }
    console.log(`families compared byte for byte: ${families} (${whole} with every line), differing: ${problems.length}\n  ${problems.join("\n  ")}`);
    expect(families).toBeGreaterThan(100);
    expect(whole).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  test("the textfile directory is served the same way by both", async () => {
    expect(ours.series.get("node_textfile_scrape_error")).toEqual(before.series.get("node_textfile_scrape_error")!);
    const line = 'backup_last_success_seconds{job="db"} 1.7e+09\n';
    expect(await (await fetch(`${ne.url}/metrics`)).text()).toContain(line);
    expect(await (await fetch(`${agent.urls.node}/metrics`)).text()).toContain(line);
    expect(ours.series.get("node_textfile_mtime_seconds")?.size).toBe(1);
  });
});

describe("off-by-default collectors vs node_exporter", () => {
  const extra = ["--collector.processes", "--collector.interrupts", "--collector.tcpstat", "--collector.cpu.info"];
  let ne2: RunningNodeExporter;
  let agent2: RunningAgent;
  let theirs: Snapshot;
  let mine: Snapshot;

  beforeAll(async () => {
    ne2 = await startNodeExporter(extra);
    agent2 = await startAgent({ roles: ["node"], args: extra });
    theirs = await scrape(ne2.url);
    mine = await scrape(agent2.urls.node!);
  }, 60000);

  afterAll(async () => {
    await agent2?.stop();
    await ne2?.stop();
  });

  test("processes, interrupts, tcpstat and cpu info families are served with node_exporter's types", () => {
    const families = [...theirs.types.keys()].filter((n) => /^node_(processes_|interrupts_|tcp_connection_states|cpu_info)/.test(n));
    expect(families.length).toBeGreaterThanOrEqual(9);
    for (const name of families) expect([name, mine.types.get(name)]).toEqual([name, theirs.types.get(name)]);
  });

  test("interrupts and cpu info have node_exporter's exact series", () => {
    for (const name of ["node_interrupts_total", "node_cpu_info"]) {
      expect([...mine.series.get(name)!.keys()].sort()).toEqual([...theirs.series.get(name)!.keys()].sort());
    }
  });
});
