/**
 * The push role: Pushgateway 1.10's HTTP API over a store that commits every push to LMDB before
 * answering, checks consistency in time proportional to the push, renders at push time, and expires groups.
 */
import { ConfigError, defineRole, escapeExposition, shownFlags, type Logger, type NameValidation } from "@agent/core";
import { statusPage } from "@agent/core/pages";
import { pushFlags } from "./flags.ts";
import { GroupDb } from "./group-db.ts";
import type { Group } from "./memory-index.ts";
import { readPersistenceFile } from "./persistence-file.ts";
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

/**
 * Brings the groups of Pushgateway's persistence file into an empty store; a missing file is nothing to
 * import. Each group gets the TTL its labels call for, counted from its last push, as if pushed here.
 */
async function importPersistenceFile(db: GroupDb, path: string, policy: TtlPolicy, log: Logger): Promise<Group[]> {
  const file = Bun.file(path);
  if (!(await file.exists())) {
    log.info("no Pushgateway persistence file to import", { file: path });
    return [];
  }
  let groups: Group[];
  try {
    groups = readPersistenceFile(new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    throw new ConfigError(`--persistence.file: cannot import ${path}: ${(e as Error).message}`);
  }
  groups = groups.map((g) => {
    const ttl = policy.ttlFor(g.labels, undefined);
    const lastPushMs = (g.pushTime || g.failTime) * 1000 || g.createdAt;
    return ttl > 0 ? { ...g, ttl, expiresAt: lastPushMs + ttl * 1000 } : g;
  });
  await Promise.all(groups.map((g) => db.save(g)));
  log.info("imported Pushgateway persistence file", { file: path, groups: groups.length });
  return groups;
}

export function pushRole() {
  let db: GroupDb | undefined;
  let sweeper: ReturnType<typeof setInterval> | undefined;
  return defineRole({
    name: "push",
    title: "Pushgateway-compatible metrics store, durable in LMDB",
    defaultAddress: ":9091",
    flags: pushFlags,
    maxRequestBodyBytes: (config) => config.maxBodyBytes,
    async start(ctx) {
      const { config, log } = ctx;
      const started = performance.now();
      const names: NameValidation = config.enableUtf8Names ? "utf8" : "legacy";
      db = await GroupDb.open(ctx.dataDir, config.sync);
      let groups = await db.loadAll();
      const ttl = new TtlPolicy(config.defaultTtl, config.ttlRules);
      if (groups.length === 0 && config.persistenceFile !== "") groups = await importPersistenceFile(db, config.persistenceFile, ttl, log);
      const opts = { checkConsistency: !config.disableConsistencyCheck, maxGroups: config.maxGroups, maxSeriesPerPush: config.maxSeriesPerPush, names, log };
      const store = new PushStore(db, opts, groups);
      log.info("push store loaded", { groups: store.groups, series: store.series, ms: Math.round(performance.now() - started) });
      // Decoding every record leaves a heap's worth of garbage; collecting it once, off the start-up path,
      // lets the allocator hand those pages back instead of holding them until the next big collection.
      setTimeout(() => Bun.gc(true), 1000).unref();
      if (config.expirySweepInterval > 0) {
        sweeper = setInterval(() => {
          store.expire(Date.now()).then(
            (n) => n > 0 && log.debug("groups expired", { groups: n }),
            (e: Error) => log.error("expiry sweep failed", { err: e.message }),
          );
        }, config.expirySweepInterval * 1000);
        sweeper.unref();
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
            ttl,
            maxBodyBytes: config.maxBodyBytes,
            checkConsistency: !config.disableConsistencyCheck,
            enableAdminApi: config.enableAdminApi,
            names,
            agent: ctx.agent,
            flags,
            log,
          });
          pushPage(app, { store, agent: ctx.agent, enableAdminApi: config.enableAdminApi, links });
          statusPage(app, { role: "push", agent: ctx.agent, flags: pushFlags, values: config });
        },
        metrics: (own, escaping) => (escaping === undefined ? store.render(own) : escapeExposition(store.render(own), escaping)),
        utf8Names: config.enableUtf8Names,
        links,
      };
    },
    async stop() {
      if (sweeper) clearInterval(sweeper);
      sweeper = undefined;
      const closing = db;
      db = undefined;
      await closing?.close();
    },
  });
}
