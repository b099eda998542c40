import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp } from "../../../../test/harness/ports.ts";
import { encodeDelimited } from "../testing/encode-delimited.ts";
import type { MetricFamily } from "./model.ts";
import { parseText } from "./parse.ts";
import { FAMILIES } from "../testing/protobuf-cases.ts";
import { PROTOBUF_DELIMITED_CONTENT_TYPE, decodeDelimited } from "./protobuf.ts";
import { renderFamily } from "./render.ts";

/**
 * The real Pushgateway (Go's client_model and expfmt) as the source of protobuf bytes: what it serves as
 * protobuf must decode to what it serves as text.
 */
describe.skipIf(Bun.which("prometheus-pushgateway") === null)("against the real Pushgateway", () => {
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  let dir = "";
  let base = "";
  const ours = (f: MetricFamily): boolean => !/^(go|process|pushgateway|promhttp)_/.test(f.name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "pgw-protobuf-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    proc = Bun.spawn(
      ["prometheus-pushgateway", `--web.listen-address=127.0.0.1:${port}`, `--persistence.file=${join(dir, "store")}`],
      { stdout: "ignore", stderr: "ignore" },
    );
    await waitForHttp(`${base}/-/ready`);
  });

  afterAll(async () => {
    proc?.kill();
    await proc?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  async function scrape(): Promise<{ text: MetricFamily[]; proto: MetricFamily[] }> {
    const text = parseText(await (await fetch(`${base}/metrics`)).text()).filter(ours);
    const res = await fetch(`${base}/metrics`, {
      headers: { Accept: "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited" },
    });
    expect(res.headers.get("content-type")).toContain("encoding=delimited");
    // Text cannot carry an empty HELP ("# HELP name " reads as none, in expfmt as here); protobuf can.
    const proto = decodeDelimited(new Uint8Array(await res.arrayBuffer()))
      .filter(ours)
      .map(({ help, ...f }) => (help ? { ...f, help } : f));
    const byName = (a: MetricFamily, b: MetricFamily): number => (a.name < b.name ? -1 : 1);
    return { text: text.sort(byName), proto: proto.sort(byName) };
  }

  test("text pushed, then served as protobuf decodes to the served text", async () => {
    const res = await fetch(`${base}/metrics/job/text/instance/a`, { method: "PUT", body: FAMILIES.map(renderFamily).join("") });
    expect(res.status).toBe(200);
    const { text, proto } = await scrape();
    expect(proto.map((f) => f.name)).toContain("lat");
    expect(proto).toEqual(text);
  });

  test("protobuf pushed by our encoder is stored as the same families", async () => {
    const pushed: MetricFamily[] = [
      { name: "pb_gauge", type: "gauge", help: "From protobuf.", samples: [{ name: "pb_gauge", labels: { k: "v→" }, value: 0.125 }] },
      { name: "pb_empty_help", type: "counter", help: "", samples: [{ name: "pb_empty_help", labels: {}, value: 2 }] },
      {
        name: "pb_hist",
        type: "histogram",
        samples: [
          { name: "pb_hist_bucket", labels: { le: "1e+06" }, value: 1 },
          { name: "pb_hist_sum", labels: {}, value: 3 },
          { name: "pb_hist_count", labels: {}, value: 2 },
        ],
      },
    ];
    const res = await fetch(`${base}/metrics/job/proto`, {
      method: "PUT",
      body: encodeDelimited(pushed),
      headers: { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE },
    });
    expect(res.status).toBe(200);
    const { text, proto } = await scrape();
    expect(proto).toEqual(text);
    const stored = (name: string): MetricFamily | undefined => proto.find((f) => f.name === name);
    const raw = decodeDelimited(
      new Uint8Array(await (await fetch(`${base}/metrics`, { headers: { Accept: PROTOBUF_DELIMITED_CONTENT_TYPE } })).arrayBuffer()),
    );
    const grouping = { instance: "", job: "proto" };
    expect(stored("pb_gauge")).toEqual({ ...pushed[0]!, samples: [{ name: "pb_gauge", labels: { ...grouping, k: "v→" }, value: 0.125 }] });
    // Pushgateway keeps an empty HELP as "# HELP name " in text: present, not absent.
    expect(raw.find((f) => f.name === "pb_empty_help")!.help).toBe("");
    expect(raw.find((f) => f.name === "pb_hist")!.help).toBeUndefined();
    expect(stored("pb_hist")!.samples).toEqual([
      { name: "pb_hist_bucket", labels: { ...grouping, le: "1e+06" }, value: 1 },
      { name: "pb_hist_bucket", labels: { ...grouping, le: "+Inf" }, value: 2 },
      { name: "pb_hist_sum", labels: grouping, value: 3 },
      { name: "pb_hist_count", labels: grouping, value: 2 },
    ]);
  });

  test("the same families pushed as protobuf and as text are stored alike", async () => {
    const put = (job: string, body: Uint8Array | string, contentType?: string): Promise<Response> =>
      fetch(`${base}/metrics/job/${job}`, { method: "PUT", body, headers: contentType ? { "Content-Type": contentType } : {} });
    expect((await put("as_text", FAMILIES.map(renderFamily).join(""))).status).toBe(200);
    expect((await put("as_proto", encodeDelimited(FAMILIES), PROTOBUF_DELIMITED_CONTENT_TYPE)).status).toBe(200);
    const { proto } = await scrape();
    const ofJob = (job: string): MetricFamily[] =>
      proto
        .filter((f) => FAMILIES.some((g) => g.name === f.name))
        .map((f) => ({
          ...f,
          samples: f.samples.filter((s) => s.labels.job === job).map((s) => ({ ...s, labels: { ...s.labels, job: "" } })),
        }));
    const asText = ofJob("as_text");
    expect(asText.map((f) => f.name).sort()).toEqual(FAMILIES.map((f) => f.name).sort());
    expect(asText.every((f) => f.samples.length > 0)).toBe(true);
    expect(ofJob("as_proto")).toEqual(asText);
  });
});
