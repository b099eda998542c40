import { expect, test } from "bun:test";
import { PushError } from "./errors.ts";
import { labelText, renderInputs, renderMetrics } from "./metrics.ts";

test("structured metrics become one family per name, standard labels under the metric's own", () => {
  const out = renderInputs(
    [
      { name: "rows_total", value: 5, type: "counter", help: "Rows.", labels: { table: "a" } },
      { name: "rows_total", value: 7, type: "counter", labels: { table: "b", host: "override" } },
      { name: "size_bytes", value: 1.5 },
    ],
    { prefix: "etl", labels: { host: "n1" } },
  );
  expect(out.dropped).toEqual([]);
  expect(out.text).toBe(
    "# HELP etl_rows_total Rows.\n# TYPE etl_rows_total counter\n" +
      'etl_rows_total{host="n1",table="a"} 5\netl_rows_total{host="override",table="b"} 7\n' +
      '# TYPE etl_size_bytes gauge\netl_size_bytes{host="n1"} 1.5\n',
  );
});

test("rule breakers are dropped with a reason, the rest still rendered", () => {
  const out = renderInputs([
    { name: "latency_ms", value: 1 },
    { name: "ok_seconds", value: 2 },
    { name: "ok_seconds", value: 3, type: "untyped" },
    { name: "x_bytes", value: 1, labels: { "bad-label": "1" } },
  ]);
  expect(out.text).toBe("# TYPE ok_seconds gauge\nok_seconds 2\n");
  expect(out.dropped).toHaveLength(3);
  expect(out.dropped.join("\n")).toMatch(/latency_ms[\s\S]*both gauge and untyped[\s\S]*bad-label/);
});

test("text gets the labels on every sample and is checked like the gateway checks it", () => {
  expect(labelText('a{x="1"} 1\nb 2\n', { host: "n1" })).toBe('# TYPE a untyped\na{host="n1",x="1"} 1\n# TYPE b untyped\nb{host="n1"} 2\n');
  expect(() => labelText("a b c\n")).toThrow(PushError);
});

test("a prom-client style registry is read through metrics()", async () => {
  const out = await renderMetrics({ metrics: async () => "# TYPE c counter\nc 1\n" }, { labels: { host: "h" } });
  expect(out.text).toBe('# TYPE c counter\nc{host="h"} 1\n');
});
