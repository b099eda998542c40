import { describe, expect, test } from "bun:test";
import { parseRelabelConfigs, relabel, type LabelMap } from "./relabel.ts";

function apply(rules: unknown[], labels: Record<string, string>): Record<string, string> | undefined {
  const map: LabelMap = new Map(Object.entries(labels));
  return relabel(map, parseRelabelConfigs(rules, "test")) ? Object.fromEntries(map) : undefined;
}

const series = { __name__: "node_scrape_collector_success", collector: "cpu", job: "node" };

describe("write_relabel_configs", () => {
  test("drop and keep match the whole value (anchored)", () => {
    expect(apply([{ source_labels: ["__name__"], regex: "node_scrape_.*", action: "drop" }], series)).toBeUndefined();
    expect(apply([{ source_labels: ["__name__"], regex: "node_scrape", action: "drop" }], series)).toEqual(series);
    expect(apply([{ source_labels: ["collector"], regex: "cpu|mem", action: "keep" }], series)).toEqual(series);
    expect(apply([{ source_labels: ["collector"], regex: "cp", action: "keep" }], series)).toBeUndefined();
  });

  test("replace joins source labels with the separator and expands groups as Go does", () => {
    const rules = [{ source_labels: ["job", "collector"], regex: "(\\w+);(?<c>\\w+)", target_label: "origin", replacement: "${1}/$c-$2x$$" }];
    expect(apply(rules, series)!.origin).toBe("node/cpu-$");
    // Go's named-group syntax, as Prometheus configs write it.
    expect(apply([{ source_labels: ["collector"], regex: "(?P<first>c)pu", target_label: "x", replacement: "$first" }], series)!.x).toBe("c");
    // An empty replacement removes the target label.
    expect(apply([{ source_labels: ["job"], target_label: "collector", replacement: "" }], series)!.collector).toBeUndefined();
    // No match: nothing changes.
    expect(apply([{ source_labels: ["job"], regex: "push", target_label: "x" }], series)).toEqual(series);
  });

  test("labelmap, labeldrop, labelkeep, lowercase, keepequal", () => {
    expect(apply([{ regex: "coll(.*)", action: "labelmap", replacement: "c_$1" }], series)!.c_ector).toBe("cpu");
    expect(apply([{ regex: "collector", action: "labeldrop" }], series)).toEqual({ __name__: series.__name__, job: "node" });
    expect(apply([{ regex: "__name__|job", action: "labelkeep" }], series)).toEqual({ __name__: series.__name__, job: "node" });
    expect(apply([{ source_labels: ["job"], target_label: "up", action: "uppercase" }], series)!.up).toBe("NODE");
    expect(apply([{ source_labels: ["job"], target_label: "collector", action: "keepequal" }], series)).toBeUndefined();
    expect(apply([{ source_labels: ["job"], target_label: "job", action: "dropequal" }], series)).toBeUndefined();
  });

  test("hashmod shards as Prometheus does (MD5's last 8 bytes, big-endian)", () => {
    // Expected values from Python: int.from_bytes(hashlib.md5(b"node;cpu").digest()[8:], "big") % m
    const rule = (modulus: number) => [{ source_labels: ["job", "collector"], target_label: "shard", modulus, action: "hashmod" }];
    expect(apply(rule(8), series)!.shard).toBe("3");
    expect(apply(rule(1000), series)!.shard).toBe("867");
  });

  test("a series whose name is removed is dropped", () => {
    expect(apply([{ regex: "__name__", action: "labeldrop" }], series)).toBeUndefined();
  });

  test("bad rules are refused with their place", () => {
    expect(() => parseRelabelConfigs([{ action: "replace" }], "rw")).toThrow("rw[0]: action replace needs target_label");
    expect(() => parseRelabelConfigs([{ regex: "(" }], "rw")).toThrow(/rw\[0\]\.regex/);
    expect(() => parseRelabelConfigs([{ action: "hashmod", target_label: "s" }], "rw")).toThrow(/modulus/);
    expect(() => parseRelabelConfigs([{ sourcelabels: ["a"] }], "rw")).toThrow(/unknown key "sourcelabels"/);
  });
});
