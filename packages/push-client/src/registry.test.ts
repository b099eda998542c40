/** A prom-client Registry handed to the client, pushed to the real Pushgateway and our push role. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Gauge, Registry } from "prom-client";
import { STORES, valueOf, type Store } from "../../../test/client/support.ts";
import { PushClient } from "./client.ts";

for (const [name, start] of STORES) {
  describe(`prom-client registry against ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await start();
    });
    afterAll(() => store?.stop());

    test("pushed as it is, plus the standard labels", async () => {
      const registry = new Registry();
      const depth = new Gauge({ name: "queue_depth", help: "Items waiting.", registers: [registry], labelNames: ["queue"] });
      depth.set({ queue: "mail" }, 7);
      const client = new PushClient({ gateway: store.url, job: "registry", standardLabels: { host: "from-test", site: "lab" } });
      expect((await client.push(registry)).ok).toBe(true);
      const text = await store.scrape();
      expect(valueOf(text, "queue_depth", 'job="registry"', 'queue="mail"', 'host="from-test"', 'site="lab"')).toBe(7);
      expect(text).toContain("# HELP queue_depth Items waiting.");
    });
  });
}
