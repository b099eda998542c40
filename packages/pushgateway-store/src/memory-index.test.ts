import { expect, test } from "bun:test";
import { MetricSet, parseText, type NameValidation } from "@agent/core";
import { groupSeriesLabels, prepareFamilies } from "./grouping.ts";
import { groupingKey, type GroupLabels } from "./grouping-key.ts";
import type { Group } from "./group.ts";
import { MemoryIndex } from "./memory-index.ts";

let clock = 1_700_000_000_000;
function group(labels: GroupLabels, text: string, names: NameValidation = "legacy"): { g: Group; prepared: ReturnType<typeof prepareFamilies> } {
  const prepared = prepareFamilies(parseText(text, names), labels, ++clock, names);
  const g: Group = {
    key: groupingKey(labels),
    labels,
    seriesLabels: groupSeriesLabels(labels),
    families: new Map(prepared.map(({ family }) => [family.name, family])),
    pushTime: clock / 1000,
    failTime: 0,
    failReason: undefined,
    createdAt: clock,
    ttl: 0,
    expiresAt: 0,
  };
  return { g, prepared };
}

const none = new Map();

test("type clash with another group, not with the group's own previous push", () => {
  const idx = new MemoryIndex();
  idx.replace(undefined, group({ job: "a" }, "# TYPE x counter\nx 1\n").g);
  const b = group({ job: "b" }, "# TYPE x gauge\nx 1\n");
  expect(idx.conflict(b.g.key, true, b.prepared, none)).toContain("other groups have it as counter");
  const a2 = group({ job: "a" }, "# TYPE x gauge\nx 1\n");
  expect(idx.conflict(a2.g.key, true, a2.prepared, none)).toBeUndefined();
});

test("histogram/summary suffix clashes, judged after the push (PUT drops the group's other families, POST keeps them)", () => {
  const idx = new MemoryIndex();
  idx.replace(undefined, group({ job: "a" }, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n").g);
  const other = group({ job: "b" }, "h_count 3\n");
  expect(idx.conflict(other.g.key, true, other.prepared, none)).toContain("collides with the histogram named h");
  const self = group({ job: "a" }, "h_bucket 3\n");
  expect(idx.conflict(self.g.key, true, self.prepared, none)).toBeUndefined();
  expect(idx.conflict(self.g.key, false, self.prepared, none)).toContain("collides");
});

test("the same series from two groups is a conflict; own families' types are enforced", () => {
  const idx = new MemoryIndex();
  idx.replace(undefined, group({ job: "a" }, 'x{k="1"} 1\n').g);
  const sub = group({ job: "a", k: "1" }, "x 2\n");
  expect(idx.conflict(sub.g.key, true, sub.prepared, none)).toContain("already pushed by another group");
  const fine = group({ job: "a", k: "2" }, "x 2\n");
  expect(idx.conflict(fine.g.key, true, fine.prepared, none)).toBeUndefined();
  // The other way round: the group with more grouping labels came first; once it is gone, nothing clashes.
  const first = new MemoryIndex();
  first.replace(undefined, sub.g);
  const wide = group({ job: "a" }, 'x{k="1"} 1\n');
  expect(first.conflict(wide.g.key, true, wide.prepared, none)).toContain("already pushed by another group");
  first.replace(sub.g, undefined);
  expect(first.conflict(wide.g.key, true, wide.prepared, none)).toBeUndefined();
  const own = group({ job: "c" }, "# TYPE process_open_fds counter\nprocess_open_fds 1\n");
  expect(idx.conflict(own.g.key, true, own.prepared, new Map([["process_open_fds", "gauge"]]))).toContain("agent itself");
});

test("render merges groups under one header, own families first in their own header, push times per group", () => {
  const idx = new MemoryIndex();
  const a = group({ job: "a" }, "# HELP x old help\n# TYPE x gauge\nx 1\n# TYPE process_open_fds gauge\nprocess_open_fds 7\n");
  const b = group({ job: "b" }, "# HELP x new help\n# TYPE x gauge\nx 2\n");
  idx.replace(undefined, a.g);
  idx.replace(undefined, b.g);
  const own = new MetricSet();
  own.gauge("process_open_fds", "Number of open file descriptors.", 3);
  const out = idx.collection(own).render();
  expect(out).toContain('# HELP process_open_fds Number of open file descriptors.\n# TYPE process_open_fds gauge\nprocess_open_fds 3\nprocess_open_fds{instance="",job="a"} 7\n');
  expect(out).toContain('# HELP x new help\n# TYPE x gauge\nx{instance="",job="a"} 1\nx{instance="",job="b"} 2\n');
  expect(out.match(/# TYPE push_time_seconds/g)?.length).toBe(1);
  expect(out.indexOf("push_failure_time_seconds")).toBeLessThan(out.indexOf("# TYPE push_time_seconds"));
  idx.replace(b.g, undefined);
  expect(idx.collection(new MetricSet()).render()).toContain("# HELP x old help\n");
  expect(idx.series).toBe(2);
});

test("the collection's samples are the ones its text shows, in its order: parts, push times, own families, UTF-8 names", () => {
  const idx = new MemoryIndex();
  const pushed =
    '# TYPE h histogram\nh_bucket{le="0.5"} 1\nh_bucket{le="1"} 2\nh_sum 3\nh_count 4\n' +
    '# TYPE s summary\ns{quantile="0.9"} 5\ns_sum 6\ns_count 7\n' +
    '# TYPE process_open_fds counter\nprocess_open_fds 8\n' +
    '{"job.seconds","host.name"="a\\"b"} 9\n';
  idx.replace(undefined, group({ job: "a" }, pushed, "utf8").g);
  idx.replace(undefined, group({ job: "b", "zone.name": "z" }, "# TYPE process_max_fds gauge\nprocess_max_fds 10\n", "utf8").g);
  const own = new MetricSet();
  own.gauge("process_open_fds", "Number of open file descriptors.", 3);
  own.gauge("process_max_fds", "Maximum number of open file descriptors.", 11);
  const collection = idx.collection(own);
  const visited: [string, Record<string, string>, number][] = [];
  collection.forEachSample((name, labels, value) => visited.push([name, Object.fromEntries(labels.flatMap((_, i) => (i % 2 === 0 ? [[labels[i]!, labels[i + 1]!]] : []))), value]));
  const shown = parseText(collection.render(), "utf8").flatMap((f) => f.samples.map((s): [string, Record<string, string>, number] => [s.name, { ...s.labels }, s.value]));
  expect(visited).toEqual(shown);
  // The pushed counter clashes with the own gauge and is left out of both; the pushed gauge joins the own one.
  expect(visited.filter(([name]) => name === "process_open_fds").length).toBe(1);
  expect(visited.filter(([name]) => name === "process_max_fds").length).toBe(2);
  expect(visited.filter(([name]) => name.startsWith("push_")).length).toBe(4);
});
