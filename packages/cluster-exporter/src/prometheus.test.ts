import { afterAll, expect, test } from "bun:test";
import { standinPrometheus, vectorAnswer } from "../../../test/cluster/standins.ts";
import { parseVectorAnswer, queryUrl, queryVector } from "./prometheus.ts";

const prom = standinPrometheus();
afterAll(() => prom.stop());

test("encodes the query and keeps a path prefix", () => {
  expect(queryUrl("http://p:9090/prom/", "sum by(jobid)(x[1m])!=0")).toBe(
    "http://p:9090/prom/api/v1/query?query=sum%20by(jobid)(x%5B1m%5D)!%3D0",
  );
});

test("parses the reference metadata answer", async () => {
  const doc = await Bun.file("/work/shared/reference/lustre/promapi_query_metadata_ops_HEAD_only.json").json();
  const { samples, skipped } = parseVectorAnswer(doc);
  expect(skipped).toBe(0);
  expect(samples.length).toBe(9);
  expect(samples[1]).toEqual({ labels: { jobid: "35070653", target: "hebe-MDT0000" }, value: 43 });
});

test("skips elements without labels or with a value that is not a number", () => {
  const { samples, skipped } = parseVectorAnswer({
    status: "success",
    data: { resultType: "vector", result: [{ metric: { jobid: "1" }, value: [0, "2.5"] }, { value: [0, "1"] }, { metric: {}, value: [0, "x"] }, null] },
  });
  expect(samples).toEqual([{ labels: { jobid: "1" }, value: 2.5 }]);
  expect(skipped).toBe(3);
});

test("sends the query and returns the vector", async () => {
  prom.handle(() => vectorAnswer([{ metric: { jobid: "7" }, value: 1024 }]));
  const answer = await queryVector(prom.url, "sum(up)", 5);
  expect(answer.samples).toEqual([{ labels: { jobid: "7" }, value: 1024 }]);
  expect(prom.queries.at(-1)).toBe("sum(up)");
});

test("HTTP errors carry Prometheus's own message", async () => {
  prom.handle(() => Response.json({ status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' }, { status: 400 }));
  await expect(queryVector(prom.url, "x", 5)).rejects.toThrow('answered HTTP 400: parse error: unexpected "}"');
  prom.handle(() => new Response("<html>Service Unavailable</html>", { status: 503 }));
  await expect(queryVector(prom.url, "x", 5)).rejects.toThrow("answered HTTP 503: <html>Service Unavailable</html>");
  prom.handle(() => new Response("{not json"));
  await expect(queryVector(prom.url, "x", 5)).rejects.toThrow("not JSON");
  prom.handle(() => Response.json({ status: "success", data: { resultType: "matrix", result: [] } }));
  await expect(queryVector(prom.url, "x", 5)).rejects.toThrow('expected a vector result, got "matrix"');
});

test("a slow or unreachable server fails within the timeout", async () => {
  prom.handle(async () => {
    await Bun.sleep(3000);
    return vectorAnswer([]);
  });
  const start = performance.now();
  await expect(queryVector(prom.url, "x", 0.3)).rejects.toThrow("within 0.3s");
  expect(performance.now() - start).toBeLessThan(2500);
  await expect(queryVector("http://127.0.0.1:1", "x", 5)).rejects.toThrow("cannot reach http://127.0.0.1:1");
});
