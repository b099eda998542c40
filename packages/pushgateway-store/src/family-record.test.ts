import { expect, test } from "bun:test";
import { parseText } from "@agent/core";
import { fromFamilyRecord, nonFiniteAsString, toFamilyRecord, type FamilyRecordV1 } from "./family-record.ts";
import { prepareFamilies } from "./grouping.ts";

const same = (s: string) => s;
const text =
  "# TYPE g gauge\ng{a=\"1\"} NaN\ng{a=\"2\"} -Inf\n" +
  '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 3\nh_sum 1.5\nh_count 3\n' +
  '# TYPE s summary\ns{quantile="0.5"} +Inf\ns_sum 4\ns_count 2\n';
const stored = prepareFamilies(parseText(text), { job: "j" }, 1_700_000_000_000).map((p) => p.family);

test("a family survives its record, also as JSON with NaN and ±Inf, and renders the same lines", () => {
  for (const f of stored) {
    const viaJson = JSON.parse(JSON.stringify(toFamilyRecord(f), nonFiniteAsString));
    const back = fromFamilyRecord(viaJson, same);
    expect(back.text).toBe(f.text);
    expect(back.metrics).toEqual(f.metrics);
    expect([back.name, back.type, back.help, back.at]).toEqual([f.name, f.type, f.help, f.at]);
  }
});

test("a format 1 record (rendered lines) is read into the same values", () => {
  for (const f of stored) {
    const v1: FamilyRecordV1 = [f.name, f.type, f.help ?? null, f.text, f.at, f.series];
    const back = fromFamilyRecord(v1, same);
    expect(back.metrics).toEqual(f.metrics);
    expect(back.text).toBe(f.text);
  }
});
