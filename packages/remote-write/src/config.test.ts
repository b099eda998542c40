import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@agent/core";
import { DEFAULT_QUEUE, parseRemoteWrite, remoteWriteFlags } from "./config.ts";

const url = "http://127.0.0.1:9/api/v1/write";

function refused(raw: unknown): string {
  try {
    parseRemoteWrite(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("accepted");
}

describe("remote_write section", () => {
  test("Prometheus's defaults, and a stable short name from the URL", () => {
    const [c] = parseRemoteWrite([{ url }]);
    expect(c!.queue).toEqual(DEFAULT_QUEUE);
    expect(c!.remoteTimeout).toBe(30);
    expect(c!.name).toMatch(/^[0-9a-f]{6}$/);
    expect(parseRemoteWrite([{ url }])[0]!.name).toBe(c!.name);
  });

  test("every supported key is read", () => {
    const dir = mkdtempSync(join(tmpdir(), "rw-config-"));
    writeFileSync(join(dir, "pw"), "secret\n");
    writeFileSync(join(dir, "ca.pem"), "CA");
    const [c] = parseRemoteWrite([
      {
        url,
        name: "central",
        remote_timeout: "10s",
        headers: { "X-Scope-OrgID": "team-a" },
        basic_auth: { username: "fleet", password_file: join(dir, "pw") },
        tls_config: { ca_file: join(dir, "ca.pem"), insecure_skip_verify: false },
        write_relabel_configs: [{ source_labels: ["__name__"], regex: "node_scrape_.*", action: "drop" }],
        queue_config: { capacity: 100, max_samples_per_send: 500, batch_send_deadline: "1s", min_backoff: "100ms", max_backoff: "10s", max_bytes: "1MiB" },
      },
    ]);
    expect(c!.name).toBe("central");
    expect(c!.remoteTimeout).toBe(10);
    expect(c!.headers).toEqual({ "X-Scope-OrgID": "team-a" });
    expect(c!.basicAuth).toEqual({ username: "fleet", password: undefined, passwordFile: join(dir, "pw") });
    expect(c!.tls?.ca).toBe("CA");
    expect(c!.writeRelabel).toHaveLength(1);
    expect(c!.queue).toEqual({ capacity: 100, maxSamplesPerSend: 500, batchSendDeadline: 1, minBackoff: 0.1, maxBackoff: 10, maxBytes: 1048576 });
  });

  test("a key Prometheus has and we do not is named as unsupported", () => {
    expect(refused([{ url, send_exemplars: true }])).toContain('"send_exemplars" is not supported');
    expect(refused([{ url, queue_config: { max_shards: 4 } }])).toContain('remote_write[0].queue_config: "max_shards" is not supported');
  });

  test("unknown keys, bad values and clashes are refused by name", () => {
    expect(refused([{ url, colour: "red" }])).toContain('unknown key "colour"');
    expect(refused([{ name: "x" }])).toContain("remote_write[0].url");
    expect(refused([{ url: "ftp://x/" }])).toContain("http:// or https://");
    expect(refused([{ url, name: "../etc" }])).toContain("remote_write[0].name");
    expect(refused([{ url, headers: { authorization: "x" } }])).toContain('"authorization" is set by the agent');
    expect(refused([{ url, basic_auth: { username: "u", password_file: "/nonexistent/pw" } }])).toContain("cannot read /nonexistent/pw");
    expect(refused([{ url, queue_config: { min_backoff: "10s", max_backoff: "1s" } }])).toContain("min_backoff is above max_backoff");
    expect(refused([{ url }, { url }])).toContain("two receivers are named");
    expect(refused([{ url, write_relabel_configs: [{ action: "explode" }] }])).toContain("write_relabel_configs[0].action");
  });

  test("external_labels must be label names", () => {
    expect(remoteWriteFlags.externalLabels.parse({ cluster: "hpc-1" })).toEqual({ cluster: "hpc-1" });
    expect(() => remoteWriteFlags.externalLabels.parse({ "bad-name": "x" })).toThrow(/not a valid label name/);
  });

  test("remote_write_targets takes job and instance per role", () => {
    expect(remoteWriteFlags.targets.parse({ node: { job: "n", instance: "gpu07:9100" } })).toEqual({ node: { job: "n", instance: "gpu07:9100" } });
    expect(() => remoteWriteFlags.targets.parse({ node: { jbo: "n" } })).toThrow(/unknown key "jbo"/);
  });
});
