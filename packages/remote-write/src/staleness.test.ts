import { describe, expect, test } from "bun:test";
import { MetricSet } from "@agent/core";
import { seriesFromCollection } from "./series.ts";
import { StalenessTracker } from "./staleness.ts";

const target = { job: "node", instance: "gpu07:9100" };

describe("staleness", () => {
  const opts = { target, honorLabels: false, externalLabels: {} };
  /** Untyped samples of these names, collected at `at`. */
  const collected = (names: string[], at: number) => {
    const set = new MetricSet();
    for (const n of names) set.untyped(n, "", 1);
    return seriesFromCollection(set, at, opts);
  };
  test("a series that disappears gets one stale marker, at the collection's time", () => {
    const tracker = new StalenessTracker();
    expect(tracker.update(collected(["a", "b"], 1000), 1000)).toEqual([]);
    const stale = tracker.update(collected(["a"], 2000), 2000);
    expect(stale.map((s) => [s.labels[1], s.timestampMs, s.stale])).toEqual([["b", 2000, true]]);
    expect(tracker.update(collected(["a"], 3000), 3000)).toEqual([]);
    // Back and gone again: marked again.
    tracker.update(collected(["a", "b"], 4000), 4000);
    expect(tracker.update([], 5000).map((s) => s.labels[1])).toEqual(["a", "b"]);
  });
});
