import { describe, expect, test } from "bun:test";
import { MetricSet, type Labels } from "@agent/core";
import { seriesFromCollection, type SeriesOptions } from "./series.ts";

const target = { job: "node", instance: "gpu07:9100" };

/** One untyped sample `m` with these labels, as a role's collection. */
function one(labels: Labels, name = "m"): MetricSet {
  const set = new MetricSet();
  set.untyped(name, "", 1, labels);
  return set;
}

function labelsOf(set: MetricSet, opts: Partial<SeriesOptions> = {}) {
  return seriesFromCollection(set, 1000, { target, honorLabels: false, externalLabels: {}, ...opts }).map((s) => Object.fromEntries(pairs(s.labels)));
}

function pairs(flat: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

describe("series from a collection", () => {
  test("a scrape's target labels are set; conflicting ones become exported_*", () => {
    expect(labelsOf(one({ job: "textfile", a: "1" }))).toEqual([{ __name__: "m", a: "1", exported_job: "textfile", instance: "gpu07:9100", job: "node" }]);
  });

  test("honor_labels keeps pushed job and instance; an empty pushed instance means none", () => {
    const set = one({ job: "batch", instance: "" });
    set.untyped("n", "", 2, { job: "batch" });
    expect(labelsOf(set, { honorLabels: true })).toEqual([
      { __name__: "m", job: "batch" },
      { __name__: "n", instance: "gpu07:9100", job: "batch" },
    ]);
  });

  test("external labels are added unless the series has the label", () => {
    expect(labelsOf(one({ cluster: "own" }), { externalLabels: { cluster: "hpc-1", site: "x" } })).toEqual([
      { __name__: "m", cluster: "own", instance: "gpu07:9100", job: "node", site: "x" },
    ]);
  });

  test("UTF-8 metric and label names are escaped by underscores when asked, as a scrape without a scheme gets them", () => {
    const set = one({ "host.name": "a.b" }, "job.seconds");
    expect(labelsOf(set, { escapeNames: true })).toEqual([{ __name__: "job_seconds", host_name: "a.b", instance: "gpu07:9100", job: "node" }]);
    expect(labelsOf(set)).toEqual([{ __name__: "job.seconds", "host.name": "a.b", instance: "gpu07:9100", job: "node" }]);
  });

  test("labels are sorted by name, histograms become their classic series, timestamps are the collection's", () => {
    const set = new MetricSet();
    set.family("h", "histogram", "").add(1, { le: "1" }, "_bucket").add(2, { le: "+Inf" }, "_bucket").add(3, undefined, "_sum").add(2, undefined, "_count");
    const out = seriesFromCollection(set, 1234, { target, honorLabels: false, externalLabels: {} });
    expect(out.map((s) => [s.labels, s.value, s.timestampMs])).toEqual([
      [["__name__", "h_bucket", "instance", "gpu07:9100", "job", "node", "le", "1"], 1, 1234],
      [["__name__", "h_bucket", "instance", "gpu07:9100", "job", "node", "le", "+Inf"], 2, 1234],
      [["__name__", "h_sum", "instance", "gpu07:9100", "job", "node"], 3, 1234],
      [["__name__", "h_count", "instance", "gpu07:9100", "job", "node"], 2, 1234],
    ]);
  });
});
