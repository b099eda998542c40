// Where a push store's memory goes, in-process: N groups shaped as bench/push's are prepared and indexed as a
// push would (prepareFamilies, MemoryIndex), rendered 3 times, and bun:jsc's heap statistics (after a full
// collection) are printed at each step: GC heap and extra (out-of-heap string and buffer) bytes per series,
// and the most numerous cell types. No HTTP, no storage: what the index itself holds.
// `bun bench/push/heap.ts [groups]` (default 20,000).
import { heapStats } from "bun:jsc";
import { MetricSet, parseText } from "../../packages/core/src/index.ts";
import { emptyGroup, type Group } from "../../packages/pushgateway-store/src/group.ts";
import { prepareFamilies } from "../../packages/pushgateway-store/src/grouping.ts";
import { MemoryIndex } from "../../packages/pushgateway-store/src/memory-index.ts";
import { twoFamilyBody } from "../push-load.ts";

const GROUPS = Number(process.argv[2] ?? 20000);
const SERIES = GROUPS * 10;

function snapshot(label: string, empty?: { heapSize: number; extraMemorySize: number }) {
  Bun.gc(true);
  const h = heapStats();
  const top = Object.entries(h.objectTypeCounts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([t, n]) => `${t} ${n}`);
  const perSeries = empty ? ` (${((h.heapSize + h.extraMemorySize - empty.heapSize - empty.extraMemorySize) / SERIES).toFixed(0)} B per series)` : "";
  console.log(`${label.padEnd(10)} heap ${(h.heapSize / 1048576).toFixed(1)} MiB, extra ${(h.extraMemorySize / 1048576).toFixed(1)} MiB${perSeries}; ${top.join(", ")}`);
  return h;
}

const index = new MemoryIndex();
const empty = snapshot("empty");
for (let i = 0; i < GROUPS; i++) {
  const labels = { job: "bench", instance: `i${i}` };
  const prepared = prepareFamilies(parseText(twoFamilyBody(0)), labels, Date.now());
  const g: Group = { ...emptyGroup(labels, 0), families: new Map(prepared.map((p) => [p.family.name, p.family])) };
  index.replace(index.get(g.key), g);
}
snapshot("filled", empty);
/** Bytes of one scrape's body; the body itself is garbage once this returns. */
const scrape = (): number => index.collection(new MetricSet()).render().length;
let bytes = 0;
for (let k = 0; k < 3; k++) bytes = scrape();
// A later turn, so that no stack slot still points at the last body when the collector scans conservatively.
await Bun.sleep(10);
snapshot("scraped", empty);
console.log(`body ${(bytes / 1048576).toFixed(1)} MiB`);
