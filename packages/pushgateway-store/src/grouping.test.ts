import { expect, test } from "bun:test";
import { parseText, seriesIdentity } from "@agent/core";
import { prepareFamilies } from "./grouping.ts";
import { PushRejected } from "./push-rejected.ts";

const at = 1_700_000_000_000;
const prep = (text: string, group: Record<string, string> = { job: "j" }) => prepareFamilies(parseText(text), group, at).map((p) => p.family);

test("grouping labels override body labels, instance is added, labels sorted, Go number formatting", () => {
  const [f] = prep('# TYPE x gauge\nx{job="other",z="1",a="2"} 1234567\nx{instance="i"} 0.00001\n');
  expect(f!.text).toBe('x{instance="i",job="j"} 1e-05\nx{a="2",instance="",job="j",z="1"} 1.234567e+06\n');
});

test("histograms get +Inf, _sum and _count as Go writes them; summaries keep quantile order", () => {
  const [h] = prep('# TYPE h histogram\nh_bucket{le="1000000"} 2\nh_count 5\n');
  expect(h!.text).toBe(
    'h_bucket{instance="",job="j",le="1e+06"} 2\nh_bucket{instance="",job="j",le="+Inf"} 5\nh_sum{instance="",job="j"} 0\nh_count{instance="",job="j"} 5\n',
  );
  const [s] = prep('# TYPE s summary\ns{quantile="0.9"} 3\ns{quantile="0.5"} 1\ns_sum 4\ns_count 2\n');
  expect(s!.text).toBe(
    's{instance="",job="j",quantile="0.9"} 3\ns{instance="",job="j",quantile="0.5"} 1\ns_sum{instance="",job="j"} 4\ns_count{instance="",job="j"} 2\n',
  );
  expect(s!.series).toBe(1);
});

test("timestamps, reserved label names and duplicates are refused and count as failed pushes", () => {
  const refused = (text: string) => {
    try {
      prep(text);
    } catch (e) {
      expect(e).toBeInstanceOf(PushRejected);
      return [(e as PushRejected).reason, (e as PushRejected).failure];
    }
    throw new Error("accepted");
  };
  expect(refused("x 1 1000\n")).toEqual(["timestamp", true]);
  expect(refused('x{__y="1"} 1\n')).toEqual(["invalid_label", true]);
  expect(refused('x{job="a"} 1\nx{job="b"} 2\n')).toEqual(["duplicate", true]);
});

test("push_time_seconds and push_failure_time_seconds in a push are dropped", () => {
  expect(prep("push_time_seconds 5\npush_failure_time_seconds 1\nother 1\n").map((f) => f.name)).toEqual(["other"]);
});

test("UTF-8 names are rendered quoted as expfmt writes them; a metric's identity is its name and label values", () => {
  const text = '# TYPE "h.x" histogram\n{"h.x_bucket","a.b"="1",le="1"} 2\n{"h.x_sum","a.b"="1"} 3\n{"h.x_count","a.b"="1"} 2\n';
  const [p] = prepareFamilies(parseText(text, "utf8"), { job: "j" }, at, "utf8");
  const h = p!.family;
  expect(h.text).toBe(
    '{"h.x_bucket","a.b"="1",instance="",job="j",le="1"} 2\n{"h.x_bucket","a.b"="1",instance="",job="j",le="+Inf"} 2\n' +
      '{"h.x_sum","a.b"="1",instance="",job="j"} 3\n{"h.x_count","a.b"="1",instance="",job="j"} 2\n',
  );
  expect(h.identities()).toEqual([...p!.identities]);
  expect(h.holds(p!.identities[0]!)).toBe(true);
  expect(h.holds(seriesIdentity("h.x", ["a.b", "2", "instance", "", "job", "j"]))).toBe(false);
  // The same label name is refused when names must be classic, also if a parser let it through.
  expect(() => prepareFamilies(parseText('m{"a.b"="1"} 1\n', "utf8"), { job: "j" }, at)).toThrow(PushRejected);
});
