/**
 * The push role against the real Pushgateway: every case is sent to both, and the status codes, the
 * resulting /metrics (push times blurred) and /api/v1/metrics must agree. Tolerated, documented
 * differences: series order within a family (the push role concatenates groups), push-time precision,
 * the +Inf bucket in the JSON API, and HELP where groups disagree (Pushgateway picks one at random).
 * Not sent to Pushgateway: an invalid base64 job name, after which Pushgateway 1.5's base64 push handler
 * never unlocks its mutex and hangs every later request (limits.test.ts checks the push role's 400).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { parseText, PROTOBUF_DELIMITED_CONTENT_TYPE } from "../../packages/core/src/index.ts";
import { encodeDelimited } from "../../packages/core/src/testing/encode-delimited.ts";
import { startAgent, startPushgateway, type RunningAgent, type RunningPushgateway } from "../harness/index.ts";
import { normalizeApi, normalizeExposition } from "./pushgateway.ts";

interface Step {
  method: "PUT" | "POST" | "DELETE" | "GET";
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

interface Case {
  name: string;
  steps: Step[];
  ignoreHelp?: boolean;
}

const put = (path: string, body: string | Uint8Array, headers?: Record<string, string>): Step => ({ method: "PUT", path, body, headers });
const post = (path: string, body: string | Uint8Array, headers?: Record<string, string>): Step => ({ method: "POST", path, body, headers });
const del = (path: string): Step => ({ method: "DELETE", path });

const big = "v".repeat(64 * 1024);
const manyGroups: Step[] = Array.from({ length: 150 }, (_, i) =>
  put(`/metrics/job/many/instance/i${i}`, `# TYPE many_requests counter\nmany_requests{code="200"} ${i}\nmany_requests{code="500"} ${i / 7}\n`),
);
const protobufBody = encodeDelimited(
  parseText(
    '# HELP pb_total Pushed as protobuf.\n# TYPE pb_total counter\npb_total{x="1"} 4\n# TYPE pb_h histogram\npb_h_bucket{le="0.5"} 1\npb_h_bucket{le="+Inf"} 2\npb_h_sum 0.7\npb_h_count 2\n# TYPE pb_s summary\npb_s{quantile="0.5"} 0.2\npb_s_sum 3\npb_s_count 9\n',
  ),
);

const CASES: Case[] = [
  { name: "counter and gauge", steps: [put("/metrics/job/j", "# HELP a_total A counter.\n# TYPE a_total counter\na_total 3\n# TYPE g gauge\ng{x=\"1\"} -2.5\n")] },
  { name: "untyped without TYPE, no HELP", steps: [put("/metrics/job/j", "u 1\nu{a=\"b\"} 2\n")] },
  { name: "POST replaces only the families it names", steps: [put("/metrics/job/j", "a 1\nb 2\n"), post("/metrics/job/j", "b 3\nc 4\n")] },
  { name: "PUT replaces the whole group", steps: [put("/metrics/job/j", "a 1\nb 2\n"), put("/metrics/job/j", "c 4\n")] },
  { name: "PUT with an empty body keeps only push times", steps: [put("/metrics/job/j", "a 1\n"), put("/metrics/job/j", "")] },
  {
    name: "DELETE removes exactly that grouping key, never a prefix or an extension",
    steps: [put("/metrics/job/j", "a 1\n"), put("/metrics/job/j/x/1", "b 1\n"), put("/metrics/job/k/x/1", "c 1\n"), del("/metrics/job/j")],
  },
  { name: "DELETE of a missing group is 202", steps: [del("/metrics/job/nothing/here/x")] },
  { name: "GET on a push path is 405", steps: [put("/metrics/job/j", "a 1\n"), { method: "GET", path: "/metrics/job/j" }] },
  {
    name: "grouping labels override body labels; body instance kept; job label in the path loses to the job",
    steps: [put("/metrics/job/j/zone/eu", 'a{zone="us",instance="h1",other="x"} 1\n'), put("/metrics/job/j2/job/ignored", 'b{job="body"} 1\n')],
  },
  {
    name: "base64 job and labels, padding optional, empty value",
    steps: [put("/metrics/job@base64/L3Zhci90bXA=/path@base64/YS9i/empty@base64/=", "a 1\n"), put("/metrics/job@base64/L3Zhci90bXA/path@base64/YS9i/empty@base64/=", "b 1\n")],
  },
  { name: "%2F inside a segment is a separator", steps: [put("/metrics/job/j/a%2Fb", "x 1\n"), put("/metrics/job/j%2Fodd", "y 1\n")] },
  {
    name: "bad paths are 400",
    steps: [
      put("/metrics/job/j/a", "x 1\n"),
      put("/metrics/job/j/__a/b", "x 1\n"),
      put("/metrics/job/j/1a/b", "x 1\n"),
      put("/metrics/job/j/a@base64/!!", "x 1\n"),
      put("/metrics/job@base64/=", "x 1\n"),
      put("/metrics/job/j/a/%ZZ", "x 1\n"),
      del("/metrics/job/j/a"),
    ],
  },
  { name: "unknown paths are 404", steps: [put("/metrics/foo", "x 1\n"), put("/metrics/job", "x 1\n")] },
  { name: "missing final newline is a parse error that records nothing", steps: [put("/metrics/job/j", "a 1")] },
  { name: "garbage bodies are 400", steps: [put("/metrics/job/j", "not a metric line at all\n"), put("/metrics/job/j", "a{b=\"c} 1\n"), put("/metrics/job/j", "# TYPE a foo\na 1\n")] },
  { name: "timestamps are refused and recorded as a failure", steps: [put("/metrics/job/j", "a 1\n"), put("/metrics/job/j", "a 1 1700000000000\n")] },
  { name: "type clash across groups fails and sets push_failure_time_seconds", steps: [put("/metrics/job/a", "# TYPE m counter\nm 1\n"), put("/metrics/job/b", "# TYPE m gauge\nm 1\n")] },
  { name: "changing a family's type within the only group is fine", steps: [put("/metrics/job/a", "# TYPE m counter\nm 1\n"), put("/metrics/job/a", "# TYPE m gauge\nm 1\n")] },
  { name: "duplicate series within a push", steps: [put("/metrics/job/j", 'a{x="1"} 1\na{x="1"} 2\n')] },
  { name: "duplicate series across groups", steps: [put("/metrics/job/j", 'a{k="1"} 1\n'), put("/metrics/job/j/k/1", "a 2\n")] },
  {
    name: "histogram and summary suffix clashes",
    steps: [
      put("/metrics/job/h", '# TYPE lat histogram\nlat_bucket{le="1"} 1\nlat_sum 1\nlat_count 1\n'),
      put("/metrics/job/c", "lat_count 3\n"),
      put("/metrics/job/c", "lat_bucket 3\n"),
      put("/metrics/job/s", "# TYPE q summary\nq_sum 1\nq_count 1\n"),
      put("/metrics/job/t", "q_bucket 1\n"),
      put("/metrics/job/t", "q_sum 1\n"),
    ],
  },
  {
    name: "escaping in label values and HELP",
    steps: [put("/metrics/job/j", '# HELP e A \\\\ backslash and\\na newline.\ne{v="quote \\" back \\\\ nl \\n end"} 1\n')],
  },
  { name: "unicode in label values, HELP and grouping key", steps: [put("/metrics/job/j/city/Zürich", '# HELP u Ünïcödé ✓ 🚀\nu{who="日本語 🙂"} 1\n')] },
  {
    name: "NaN, infinities, big and small numbers",
    steps: [put("/metrics/job/j", "n NaN\np +Inf\nm -Inf\nb 1234567890123\ns 0.00001234\ne 1e300\ni 123456\nk 1000000\n")],
  },
  {
    name: "histogram without +Inf bucket, summary without _count",
    steps: [put("/metrics/job/j", '# TYPE h histogram\nh_bucket{le="0.1"} 1\nh_bucket{le="1000000"} 2\nh_sum 3.5\nh_count 4\n# TYPE s summary\ns{quantile="0.99"} 7\ns{quantile="0.5"} 2\ns_sum 10\n')],
  },
  { name: "histograms with labels and several metrics", steps: [put("/metrics/job/j", '# TYPE h histogram\nh_bucket{m="b",le="1"} 1\nh_bucket{m="a",le="1"} 2\nh_bucket{m="a",le="+Inf"} 3\nh_sum{m="a"} 1\nh_count{m="a"} 3\nh_sum{m="b"} 2\nh_count{m="b"} 1\n')] },
  // Bun refuses request lines over 16 KiB (431), so the grouping-key value stays below that.
  { name: "64 KiB label values in the body, 8 KiB in the grouping key", steps: [put(`/metrics/job/j/big/${big.slice(0, 8192)}`, `l{v="${big}"} 1\n`)] },
  { name: "many groups of one family", steps: manyGroups },
  { name: "protobuf delimited", steps: [put("/metrics/job/pb", protobufBody, { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE })] },
  { name: "gzip text", steps: [put("/metrics/job/gz", gzipSync("# TYPE gz counter\ngz 5\n"), { "Content-Encoding": "gzip" })] },
  { name: "broken gzip is 400", steps: [put("/metrics/job/gz", "not gzip", { "Content-Encoding": "gzip" })] },
  { name: "pushed push_time_seconds is overridden", steps: [put("/metrics/job/j", "push_time_seconds 5\na 1\n")] },
  {
    name: "groups disagreeing on HELP are merged under one header",
    ignoreHelp: true,
    steps: [put("/metrics/job/a", "# HELP d One.\nd 1\n"), put("/metrics/job/b", "# HELP d Two.\nd 2\n")],
  },
  { name: "text/plain Content-Type", steps: [put("/metrics/job/j", "a 1\n", { "Content-Type": "text/plain; version=0.0.4" })] },
  { name: "same family, different label sets across groups", steps: [put("/metrics/job/a", 'r{x="1"} 1\n'), put("/metrics/job/b", 'r{y="2",z="3"} 2\n'), put("/metrics/job/c", "r 3\n")] },
  {
    name: "a failed push flips last_push_successful until the next good one",
    steps: [put("/metrics/job/a", "# TYPE f counter\nf 1\n"), put("/metrics/job/b", "f 1\n"), put("/metrics/job/b", "# TYPE f counter\nf 2\n")],
  },
  { name: "DELETE then push the same group again", steps: [put("/metrics/job/j/i/1", "a 1\nb 2\n"), del("/metrics/job/j/i/1"), post("/metrics/job/j/i/1", "c 3\n")] },
  { name: "instance in the grouping key overrides the body's", steps: [put("/metrics/job/j/instance/from-path", 'a{instance="from-body"} 1\n')] },
  {
    name: "protobuf with a timestamp is refused like text",
    steps: [put("/metrics/job/pb", encodeDelimited(parseText("ts_metric 1 1700000000000\n")), { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE })],
  },
  { name: "gzip protobuf", steps: [put("/metrics/job/pbz", gzipSync(protobufBody), { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE, "Content-Encoding": "gzip" })] },
  {
    name: "summaries with labels and several quantiles; a histogram of only +Inf",
    steps: [
      put(
        "/metrics/job/j",
        '# TYPE rpc summary\nrpc{m="get",quantile="0.5"} 0.1\nrpc{m="get",quantile="0.99"} 0.9\nrpc_sum{m="get"} 12\nrpc_count{m="get"} 40\nrpc{m="put",quantile="0.5"} 0.3\nrpc_sum{m="put"} 3\nrpc_count{m="put"} 10\n# TYPE only histogram\nonly_bucket{le="+Inf"} 5\nonly_sum 2\nonly_count 5\n',
      ),
    ],
  },
  { name: "a pushed process_ family joins the server's own", steps: [put("/metrics/job/py", "# HELP process_open_fds Anything.\n# TYPE process_open_fds gauge\nprocess_open_fds 12\n")] },
];

setDefaultTimeout(30_000);

let pg: RunningPushgateway;
let agent: RunningAgent;

beforeAll(async () => {
  [pg, agent] = await Promise.all([startPushgateway(), startAgent({ roles: ["push"], args: ["--push.enable-admin-api"] })]);
});

afterAll(async () => {
  await Promise.all([pg?.stop(), agent?.stop()]);
});

async function send(base: string, s: Step): Promise<number> {
  const r = await fetch(base + s.path, { method: s.method, body: s.body, headers: s.headers });
  await r.arrayBuffer();
  return r.status;
}

async function state(base: string, ignoreHelp: boolean) {
  const [metrics, api] = await Promise.all([fetch(`${base}/metrics`).then((r) => r.text()), fetch(`${base}/api/v1/metrics`).then((r) => r.json())]);
  return { metrics: normalizeExposition(metrics, { ignoreHelp }), api: normalizeApi(api) };
}

describe("push role vs Pushgateway", () => {
  for (const c of CASES) {
    test(c.name, async () => {
      for (const base of [pg.url, agent.urls.push!]) expect(await send(base, { method: "PUT", path: "/api/v1/admin/wipe" })).toBe(202);
      const statuses: [number, number][] = [];
      for (const step of c.steps) statuses.push([await send(pg.url, step), await send(agent.urls.push!, step)]);
      expect(statuses.map(([, ours]) => ours)).toEqual(statuses.map(([theirs]) => theirs));
      // Pushgateway applies deletes asynchronously; give its queue a moment before comparing.
      let theirs = await state(pg.url, c.ignoreHelp ?? false);
      const ours = await state(agent.urls.push!, c.ignoreHelp ?? false);
      for (let i = 0; i < 20 && !Bun.deepEquals(theirs, ours); i++) {
        await Bun.sleep(25);
        theirs = await state(pg.url, c.ignoreHelp ?? false);
      }
      expect(ours.metrics).toEqual(theirs.metrics);
      expect(ours.api).toEqual(theirs.api);
    });
  }
});
