/**
 * The push client library against the real Pushgateway and our push role: every call, read back from the
 * store's /metrics.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { Job, PushClient, timed, type PushClientOptions } from "../../packages/push-client/src/index.ts";
import { samplesOf, STORES, valueOf, type Store } from "./support.ts";

const HOST = `host="${hostname()}"`;

for (const [name, start] of STORES) {
  describe(`library against ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await start();
    });
    afterAll(() => store?.stop());

    const client = (opts: Partial<PushClientOptions> & { job: string }) =>
      new PushClient({ gateway: store.url, onWarning: (m) => console.error("unexpected warning:", m), ...opts });

    test("push (PUT) with a grouping key whose values need base64, read back with the standard labels", async () => {
      const c = client({ job: "lib_put", groupingKey: { instance: "db1", dir: "/var/lib/db", shard: "" } });
      const r = await c.push([{ name: "backup_bytes", value: 12345, help: "Bytes backed up.", labels: { kind: "full" } }]);
      expect(r).toMatchObject({ ok: true, attempts: 1, dropped: [] });
      const text = await store.scrape();
      expect(valueOf(text, "backup_bytes", 'job="lib_put"', 'instance="db1"', 'dir="/var/lib/db"', 'shard=""', 'kind="full"', HOST)).toBe(12345);
      expect(text).toContain("# HELP backup_bytes Bytes backed up.");
      // PUT replaces the whole group.
      expect((await c.push([{ name: "other_bytes", value: 1 }])).ok).toBe(true);
      const after = await store.scrape();
      expect(valueOf(after, "backup_bytes", 'job="lib_put"')).toBeUndefined();
      expect(valueOf(after, "other_bytes", 'job="lib_put"', 'dir="/var/lib/db"')).toBe(1);
    });

    test("pushAdd (POST) replaces only the families pushed", async () => {
      const c = client({ job: "lib_post", prefix: "etl" });
      await c.pushAdd([{ name: "rows_total", value: 10, type: "counter" }]);
      await c.pushAdd([{ name: "duration_seconds", value: 2.5 }]);
      await c.pushAdd([{ name: "rows_total", value: 20, type: "counter" }]);
      const text = await store.scrape();
      expect(valueOf(text, "etl_rows_total", 'job="lib_post"')).toBe(20);
      expect(valueOf(text, "etl_duration_seconds", 'job="lib_post"')).toBe(2.5);
      expect(text).toContain("# TYPE etl_rows_total counter");
    });

    test("delete removes the group and only that group", async () => {
      await client({ job: "lib_del", groupingKey: { n: "1" } }).push("del_me 1\n");
      await client({ job: "lib_del", groupingKey: { n: "2" } }).push("keep_me 1\n");
      const r = await client({ job: "lib_del", groupingKey: { n: "1" } }).delete();
      expect(r.ok).toBe(true);
      const text = await store.scrape();
      expect(samplesOf(text, "del_me")).toEqual([]);
      expect(valueOf(text, "keep_me", 'job="lib_del"', 'n="2"', HOST)).toBe(1);
    });

    test("timed and Job: the last success survives a failed run (POST semantics)", async () => {
      const opts = { gateway: store.url, job: "lib_timed" };
      expect(await timed("backup", async () => "ok", opts)).toBe("ok");
      const first = valueOf(await store.scrape(), "backup_last_success_timestamp_seconds", 'job="lib_timed"');
      expect(first).toBeGreaterThan(Date.now() / 1000 - 60);
      const failure = new Error("disk full");
      await expect(timed("backup", () => Promise.reject(failure), opts)).rejects.toBe(failure);
      const text = await store.scrape();
      expect(valueOf(text, "backup_last_success_timestamp_seconds", 'job="lib_timed"')).toBe(first!);
      expect(valueOf(text, "backup_last_failure_timestamp_seconds", 'job="lib_timed"')).toBeGreaterThanOrEqual(first!);
      expect(valueOf(text, "backup_success", 'job="lib_timed"')).toBe(0);
      expect(valueOf(text, "backup_duration_seconds", 'job="lib_timed"')).toBeGreaterThanOrEqual(0);

      const job = new Job({ gateway: store.url, job: "lib_job", prefix: "nightly" });
      await job.run((j) => {
        j.gauge("files", 3).counter("bytes_written_total", 4096);
      });
      const jobText = await store.scrape();
      expect(valueOf(jobText, "nightly_files", 'job="lib_job"', HOST)).toBe(3);
      expect(valueOf(jobText, "nightly_bytes_written_total", 'job="lib_job"')).toBe(4096);
      expect(valueOf(jobText, "nightly_job_success", 'job="lib_job"')).toBe(1);
    });
  });
}
