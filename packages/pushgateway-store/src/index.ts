/**
 * The push role: Pushgateway 1.10's HTTP API over a store that commits every push to LMDB before
 * answering, checks consistency in time proportional to the push, renders at push time, and expires groups.
 */
import { defineRole, shownFlags } from "@agent/core";
import { statusPage } from "@agent/core/pages";
import { ExpiryTimer } from "./expiry.ts";
import { pushFlags } from "./flags.ts";
import { GroupDb } from "./group-db.ts";
import { PushStore } from "./push-store.ts";
import { pushPage } from "./page.ts";
import { pushRoutes } from "./routes.ts";
import { TtlPolicy } from "./ttl.ts";

export { PushStore, type GroupSummary } from "./push-store.ts";
export { parsePushPath, pushPathFor, groupingKey } from "./grouping-key.ts";
export { importLmdb } from "./group-db.ts";
export { salvageStore, type SalvageReport } from "./salvage.ts";
export { checkStoreFile, damagedAdvice, refuseIfInUse, STORE_FILE, storeFile, type StoreHealth } from "./store-check.ts";
export { GroupDb } from "./group-db.ts";

export function pushRole() {
  let db: GroupDb | undefined;
  let expiry: ExpiryTimer | undefined;
  return defineRole({
    name: "push",
    title: "Pushgateway-compatible metrics store, durable in LMDB",
    defaultAddress: ":9091",
    flags: pushFlags,
    maxRequestBodyBytes: (config) => config.maxBodyBytes,
    async start(ctx) {
      const { config, log } = ctx;
      const started = performance.now();
      db = await GroupDb.open(ctx.dataDir, config.sync);
      const opts = {
        checkConsistency: !config.disableConsistencyCheck,
        maxGroups: config.maxGroups,
        maxSeriesPerPush: config.maxSeriesPerPush,
        log,
        onDeadline: (at: number) => expiry?.deadline(at),
      };
      const store = new PushStore(db, opts, await db.loadAll());
      log.info("push store loaded", { groups: store.groups, series: store.series, ms: Math.round(performance.now() - started) });
      // Decoding every record leaves a heap's worth of garbage; collecting it once, off the start-up path,
      // lets the allocator hand those pages back instead of holding them until the next big collection.
      setTimeout(() => Bun.gc(true), 1000).unref();
      if (config.expirySweepInterval > 0) {
        expiry = new ExpiryTimer(store, config.expirySweepInterval * 1000, log);
        expiry.start();
      }
      const flags = shownFlags(pushFlags, config);
      const links = [
        { path: "/api/v1/metrics", title: "Pushed groups (JSON)" },
        { path: "/api/v1/status", title: "Status (JSON)" },
      ];
      return {
        routes: (app) => {
          pushRoutes(app, {
            store,
            ttl: new TtlPolicy(config.defaultTtl, config.ttlRules),
            maxBodyBytes: config.maxBodyBytes,
            checkConsistency: !config.disableConsistencyCheck,
            enableAdminApi: config.enableAdminApi,
            agent: ctx.agent,
            flags,
            log,
          });
          pushPage(app, { store, agent: ctx.agent, enableAdminApi: config.enableAdminApi, links });
          statusPage(app, { role: "push", agent: ctx.agent, flags: pushFlags, values: config });
        },
        metrics: (own) => store.render(own),
        links,
      };
    },
    async stop() {
      expiry?.stop();
      expiry = undefined;
      const closing = db;
      db = undefined;
      await closing?.close();
    },
  });
}
