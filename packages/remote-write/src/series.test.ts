import { describe, expect, test } from "bun:test";
import { seriesFromText } from "./series.ts";

const target = { job: "node", instance: "gpu07:9100" };

function labelsOf(text: string, honorLabels: boolean, externalLabels: Record<string, string> = {}) {
  return seriesFromText(text, 1000, { target, honorLabels, externalLabels }).map((s) => Object.fromEntries(pairs(s.labels)));
}

function pairs(flat: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

describe("series from exposition text", () => {
  test("a scrape's target labels are set; conflicting ones become exported_*", () => {
    expect(labelsOf('m{job="textfile",a="1"} 1\n', false)).toEqual([{ __name__: "m", a: "1", exported_job: "textfile", instance: "gpu07:9100", job: "node" }]);
  });

  test("honor_labels keeps pushed job and instance; an empty pushed instance means none", () => {
    expect(labelsOf('m{job="batch",instance=""} 1\nn{job="batch"} 2\n', true)).toEqual([
      { __name__: "m", job: "batch" },
      { __name__: "n", instance: "gpu07:9100", job: "batch" },
    ]);
  });

  test("external labels are added unless the series has the label", () => {
    expect(labelsOf('m{cluster="own"} 1\n', false, { cluster: "hpc-1", site: "x" })).toEqual([
      { __name__: "m", cluster: "own", instance: "gpu07:9100", job: "node", site: "x" },
    ]);
  });

  test("labels are sorted by name, histograms become their classic series, timestamps are the collection's", () => {
    const text = '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n';
    const out = seriesFromText(text, 1234, { target, honorLabels: false, externalLabels: {} });
    expect(out.map((s) => [s.labels, s.value, s.timestampMs])).toEqual([
      [["__name__", "h_bucket", "instance", "gpu07:9100", "job", "node", "le", "1"], 1, 1234],
      [["__name__", "h_bucket", "instance", "gpu07:9100", "job", "node", "le", "+Inf"], 2, 1234],
      [["__name__", "h_sum", "instance", "gpu07:9100", "job", "node"], 3, 1234],
      [["__name__", "h_count", "instance", "gpu07:9100", "job", "node"], 2, 1234],
    ]);
  });
});
