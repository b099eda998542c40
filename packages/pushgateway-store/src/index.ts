/**
 * The push role: Pushgateway 1.10's HTTP API over a store that commits every push to LMDB (or to an etcd
 * cluster several agents share) before answering, checks consistency in time proportional to the push, renders at push time, and expires groups.
 */
import { hostname } from "node:os";
import { ConfigError, defineRole, escapeExposition, IdleGc, shownFlags, type FlagValues, type Logger, type NameValidation } from "@agent/core";
import { statusPage } from "@agent/core/pages";
import { ExpiryTimer } from "./expiry.ts";
import { pushFlags } from "./flags.ts";
import { EtcdGroupStore } from "./etcd-store.ts";
import { GroupDb } from "./group-db.ts";
import type { Group } from "./group.ts";
import { readPersistenceFile } from "./persistence-file.ts";
import type { GroupStorage } from "./group-storage.ts";
import { PushStore } from "./push-store.ts";
import { pushPage } from "./page.ts";
import { pushRoutes } from "./routes.ts";
import { TtlPolicy } from "./ttl.ts";

export { PushStore } from "./push-store.ts";
export type { GroupSummary } from "./group.ts";
export { parsePushPath, pushPathFor, groupingKey } from "./grouping-key.ts";
export { importLmdb } from "./group-db.ts";
export { salvageStore, type SalvageReport } from "./salvage.ts";
export { checkStoreFile, damagedAdvice, refuseIfInUse, STORE_FILE, storeFile, type StoreHealth } from "./store-check.ts";
export { GroupDb } from "./group-db.ts";

/**
 * Brings the groups of Pushgateway's persistence file into an empty store; a missing file is nothing to
 * import. Each group gets the TTL its labels call for, counted from its last push, as if pushed here.
 */
async function importPersistenceFile(db: GroupStorage, path: string, policy: TtlPolicy, log: Logger): Promise<Group[]> {
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

export { EtcdGroupStore } from "./etcd-store.ts";
export { copyStore, parseStoreSpec, type EtcdAccess, type StoreSpec } from "./copy.ts";

function validate(config: FlagValues<typeof pushFlags>): void {
  if (config.store !== "etcd") return;
  if (config.etcdEndpoints.length === 0) throw new ConfigError("--push.store=etcd needs --push.etcd.endpoints (e.g. https://etcd-1:2379,https://etcd-2:2379)");
  for (const e of config.etcdEndpoints) {
    if (!/^https?:\/\/[^/]+$/.test(e)) throw new ConfigError(`--push.etcd.endpoints: "${e}" is not an http:// or https:// URL with no path`);
  }
  if (!config.etcdPrefix.endsWith("/")) throw new ConfigError(`--push.etcd.prefix: "${config.etcdPrefix}" must end with /`);
  if ((config.etcdCertFile === "") !== (config.etcdKeyFile === "")) {
    throw new ConfigError("--push.etcd.tls-cert-file and --push.etcd.tls-key-file go together");
  }
}

/** `host:9091` for a wildcard listen address, `host (10.0.0.5:9091)` for a bound one. */
function replicaName(address: string): string {
  return address.startsWith(":") ? hostname() + address : `${hostname()} (${address})`;
}

export function pushRole() {
  let db: GroupStorage | undefined;
  let expiry: ExpiryTimer | undefined;
  return defineRole({
    name: "push",
    title: "Pushgateway-compatible metrics store, durable in LMDB",
    defaultAddress: ":9091",
    flags: pushFlags,
    dataDir: "push",
    // Pushed groups carry their own job and instance labels; Pushgateway is scraped with honor_labels: true.
    honorLabels: true,
    programNames: ["pushgateway", "prometheus-pushgateway"],
    maxRequestBodyBytes: (config) => config.maxBodyBytes,
    validate,
    async start(ctx) {
      const { config, log } = ctx;
      const started = performance.now();
      const names: NameValidation = config.enableUtf8Names ? "utf8" : "legacy";
      const adminApi = config.enableAdminApi || config.webEnableAdminApi;
      let groups;
      if (config.store === "etcd") {
        const etcd = new EtcdGroupStore({
          endpoints: config.etcdEndpoints,
          prefix: config.etcdPrefix,
          caFile: config.etcdCaFile || undefined,
          certFile: config.etcdCertFile || undefined,
          keyFile: config.etcdKeyFile || undefined,
          log,
          self: replicaName(ctx.address),
        });
        groups = await etcd.loadAll();
        db = etcd;
      } else {
        const lmdb = await GroupDb.open(ctx.dataDir, config.sync);
        groups = await lmdb.loadAll();
        db = lmdb;
      }
      const ttl = new TtlPolicy(config.defaultTtl, config.ttlRules);
      if (groups.length === 0 && config.persistenceFile !== "") groups = await importPersistenceFile(db, config.persistenceFile, ttl, log);
      const opts = {
        checkConsistency: !config.disableConsistencyCheck,
        maxGroups: config.maxGroups,
        maxSeriesPerPush: config.maxSeriesPerPush,
        names,
        log,
        onDeadline: (at: number) => expiry?.deadline(at),
      };
      const store = new PushStore(db, opts, groups);
      log.info("push store loaded", { groups: store.groups, series: store.series, ms: Math.round(performance.now() - started) });
      // Decoding every record leaves a heap's worth of garbage; collecting it once, off the start-up path,
      // lets the allocator hand those pages back instead of holding them until the next big collection.
      setTimeout(() => Bun.gc(true), 1000).unref();
      if (config.expirySweepInterval > 0) {
        expiry = new ExpiryTimer(store, config.expirySweepInterval * 1000, log);
        expiry.start();
      }
      const idleGc = new IdleGc();
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
            enableAdminApi: adminApi,
            names,
            agent: ctx.agent,
            flags,
            log,
          });
          pushPage(app, { store, agent: ctx.agent, enableAdminApi: adminApi, links });
          statusPage(app, { role: "push", agent: ctx.agent, flags: pushFlags, values: config });
        },
        metrics: (own, scrape) => {
          idleGc.afterScrape();
          return scrape?.escaping === undefined ? store.render(own) : escapeExposition(store.render(own), scrape.escaping);
        },
        utf8Names: config.enableUtf8Names,
        unready: () => store.unready(),
        links,
        logFields: { store: config.store },
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
