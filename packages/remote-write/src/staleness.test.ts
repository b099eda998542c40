import { describe, expect, test } from "bun:test";
import { seriesFromText } from "./series.ts";
import { StalenessTracker } from "./staleness.ts";

const target = { job: "node", instance: "gpu07:9100" };

describe("staleness", () => {
  const opts = { target, honorLabels: false, externalLabels: {} };
  test("a series that disappears gets one stale marker, at the collection's time", () => {
    const tracker = new StalenessTracker();
    expect(tracker.update(seriesFromText("a 1\nb 2\n", 1000, opts), 1000)).toEqual([]);
    const stale = tracker.update(seriesFromText("a 1\n", 2000, opts), 2000);
    expect(stale.map((s) => [s.labels[1], s.timestampMs, s.stale])).toEqual([["b", 2000, true]]);
    expect(tracker.update(seriesFromText("a 1\n", 3000, opts), 3000)).toEqual([]);
    // Back and gone again: marked again.
    tracker.update(seriesFromText("a 1\nb 2\n", 4000, opts), 4000);
    expect(tracker.update([], 5000).map((s) => s.labels[1])).toEqual(["a", "b"]);
  });
});
