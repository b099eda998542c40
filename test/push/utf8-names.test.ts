/**
 * --push.enable-utf8-names on dist/agent: UTF-8 names pushed as quoted text, as protobuf and as a U__-escaped
 * path label, scraped escaped (underscores by default, values on request) or as they are with
 * escaping=allow-utf-8, and ingested by a real Prometheus 2.x, which asks for no scheme. Pushgateway 1.11 (the
 * first with the flag) is not in Debian, so the expected forms are those of its handler tests and expfmt's.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { PROTOBUF_DELIMITED_CONTENT_TYPE } from "../../packages/core/src/index.ts";
import { encodeDelimited } from "../../packages/core/src/testing/encode-delimited.ts";
import { curl, startAgent, startPrometheus, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";

setDefaultTimeout(60_000);

let agent: RunningAgent;
let plain: RunningAgent;
let url: string;

beforeAll(async () => {
  [agent, plain] = await Promise.all([
    startAgent({ roles: ["push"], args: ["--push.enable-utf8-names"] }),
    startAgent({ roles: ["push"] }),
  ]);
  url = agent.urls.push!;
});

afterAll(async () => {
  await Promise.all([agent?.stop(), plain?.stop()]);
});

const TEXT = '# HELP "my.metric" Dotted.\n# TYPE "my.metric" gauge\n{"my.metric","label.with.dots"="x"} 1\n';

const scrape = async (accept?: string) => {
  const r = await curl(`${url}/metrics`, accept === undefined ? [] : ["-H", `Accept: ${accept}`]);
  return { body: r.body, contentType: r.headers["content-type"] ?? "" };
};

test("without the flag, UTF-8 names get 400 and nothing is stored", async () => {
  const r = await fetch(`${plain.urls.push}/metrics/job/t`, { method: "PUT", body: TEXT });
  expect(r.status).toBe(400);
  expect((await fetch(`${plain.urls.push}/metrics/job/t/U__a_2e_b/v`, { method: "PUT", body: "m 1\n" })).status).toBe(200);
  // Without the flag a U__ name is a classic label name like any other.
  expect(await fetch(`${plain.urls.push}/metrics`).then((r) => r.text())).toContain('m{U__a_2e_b="v",instance="",job="t"} 1');
  expect((await fetch(`${plain.urls.push}/metrics/job/t/a.b/v`, { method: "PUT", body: "m 1\n" })).status).toBe(400);
});

test("text, protobuf and path pushes with UTF-8 names are stored and scraped by the Accept escaping", async () => {
  expect((await fetch(`${url}/metrics/job/text`, { method: "PUT", body: TEXT })).status).toBe(200);
  const proto = encodeDelimited([
    { name: "proto.counter", type: "counter", help: "From protobuf.", samples: [{ name: "proto.counter", labels: { "zone.name": "eu" }, value: 7 }] },
  ]);
  const r = await fetch(`${url}/metrics/job/proto`, { method: "PUT", body: proto, headers: { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE } });
  expect(r.status).toBe(200);
  expect((await fetch(`${url}/metrics/job/path/U__dotted_2e_label_2e_name/v`, { method: "PUT", body: "path_metric 3\n" })).status).toBe(200);

  const utf8 = await scrape("text/plain;version=0.0.4;escaping=allow-utf-8");
  expect(utf8.contentType).toBe("text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8");
  expect(utf8.body).toContain('# HELP "my.metric" Dotted.\n# TYPE "my.metric" gauge\n{"my.metric",instance="",job="text","label.with.dots"="x"} 1\n');
  expect(utf8.body).toContain('{"proto.counter",instance="",job="proto","zone.name"="eu"} 7\n');
  expect(utf8.body).toContain('path_metric{"dotted.label.name"="v",instance="",job="path"} 3\n');

  const underscores = await scrape();
  expect(underscores.contentType).toBe("text/plain; version=0.0.4; charset=utf-8; escaping=underscores");
  expect(underscores.body).toContain('# TYPE my_metric gauge\nmy_metric{instance="",job="text",label_with_dots="x"} 1\n');
  expect(underscores.body).toContain('proto_counter{instance="",job="proto",zone_name="eu"} 7\n');
  expect(underscores.body).toContain('path_metric{dotted_label_name="v",instance="",job="path"} 3\n');
  expect(underscores.body).not.toContain('"my.metric"');

  const values = await scrape("text/plain;version=0.0.4;escaping=values");
  expect(values.body).toContain('U__my_2e_metric{instance="",job="text",U__label_2e_with_2e_dots="x"} 1\n');

  // The JSON API shows names as stored.
  const api = (await fetch(`${url}/api/v1/metrics`).then((r) => r.json())) as { data: Record<string, { metrics?: { labels: Record<string, string> }[] }>[] };
  const text = api.data.find((g) => "my.metric" in g)!;
  expect(text["my.metric"]!.metrics![0]!.labels).toEqual({ instance: "", job: "text", "label.with.dots": "x" });
  // A path label deletes its group in the same escaped form.
  expect((await fetch(`${url}/metrics/job/path/U__dotted_2e_label_2e_name/v`, { method: "DELETE" })).status).toBe(202);
  expect((await scrape()).body).not.toContain("path_metric{");
});

test("a real Prometheus 2.x scrapes the UTF-8 names escaped with underscores", async () => {
  expect((await fetch(`${url}/metrics/job/prom`, { method: "PUT", body: '{"prom.seen","a.b"="1"} 42\n' })).status).toBe(200);
  let prom: RunningPrometheus | undefined;
  try {
    prom = await startPrometheus({
      scrapeConfigs: [{ job_name: "pushgateway", honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${agent.ports.push}`] }] }],
    });
    const got = await prom.waitFor("prom_seen", (r) => r.length === 1);
    expect(got[0]!.metric).toMatchObject({ __name__: "prom_seen", a_b: "1", job: "prom" });
    expect(got[0]!.value[1]).toBe("42");
  } finally {
    await prom?.stop();
  }
});
