/**
 * The push role: Pushgateway 1.10's HTTP API over a store that commits every push to LMDB (or to an etcd
 * cluster several agents share) before answering, checks consistency in time proportional to the push, renders at push time, and expires groups.
 */
import { hostname } from "node:os";
import { ConfigError, defineRole, IdleGc, shownFlags, type FlagValues, type NameValidation, type RoleContext, type RoleService } from "@agent/core";
import { statusPage } from "@agent/core/pages";
import { ExpiryTimer } from "./expiry.ts";
import { pushFlags } from "./flags.ts";
import { EtcdGroupStore } from "./etcd-store.ts";
import { GroupDb } from "./group-db.ts";
import type { Group } from "./group.ts";
import { importPersistenceFile } from "./persistence-file.ts";
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

export { EtcdGroupStore } from "./etcd-store.ts";
export { copyStore, parseStoreSpec, type EtcdAccess, type StoreSpec } from "./copy.ts";

type PushConfig = FlagValues<typeof pushFlags>;

function validate(config: PushConfig): void {
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

/** Opens the store the flags name (etcd, or LMDB in the role's data directory) and reads its groups. */
async function openStorage(ctx: RoleContext<PushConfig>): Promise<{ db: GroupStorage; groups: Group[] }> {
  const { config } = ctx;
  if (config.store === "etcd") {
    const etcd = new EtcdGroupStore({
      endpoints: config.etcdEndpoints,
      prefix: config.etcdPrefix,
      caFile: config.etcdCaFile || undefined,
      certFile: config.etcdCertFile || undefined,
      keyFile: config.etcdKeyFile || undefined,
      log: ctx.log,
      self: replicaName(ctx.address),
    });
    return { db: etcd, groups: await etcd.loadAll() };
  }
  const lmdb = await GroupDb.open(ctx.dataDir, config.sync);
  return { db: lmdb, groups: await lmdb.loadAll() };
}

/** What the started role serves: Pushgateway's API, the push page, the status page and the stored groups as /metrics. */
function pushService(ctx: RoleContext<PushConfig>, store: PushStore, ttl: TtlPolicy): RoleService {
  const { config, log } = ctx;
  const names: NameValidation = config.enableUtf8Names ? "utf8" : "legacy";
  const adminApi = config.enableAdminApi || config.webEnableAdminApi;
  const flags = shownFlags(pushFlags, config);
  const idleGc = new IdleGc();
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
    collect: (own) => {
      idleGc.afterScrape();
      return store.collect(own);
    },
    utf8Names: config.enableUtf8Names,
    unready: () => store.unready(),
    links,
    logFields: { store: config.store },
  };
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
      const opened = await openStorage(ctx);
      db = opened.db;
      const ttl = new TtlPolicy(config.defaultTtl, config.ttlRules);
      let groups = opened.groups;
      if (groups.length === 0 && config.persistenceFile !== "") groups = await importPersistenceFile(db, config.persistenceFile, ttl, log);
      const store = new PushStore(
        db,
        {
          checkConsistency: !config.disableConsistencyCheck,
          maxGroups: config.maxGroups,
          maxSeriesPerPush: config.maxSeriesPerPush,
          names: config.enableUtf8Names ? "utf8" : "legacy",
          log,
          onDeadline: (at: number) => expiry?.deadline(at),
        },
        groups,
      );
      log.info("push store loaded", { groups: store.groups, series: store.series, ms: Math.round(performance.now() - started) });
      // Decoding every record leaves a heap's worth of garbage; collecting it once, off the start-up path,
      // lets the allocator hand those pages back instead of holding them until the next big collection.
      setTimeout(() => Bun.gc(true), 1000).unref();
      if (config.expirySweepInterval > 0) {
        expiry = new ExpiryTimer(store, config.expirySweepInterval * 1000, log);
        expiry.start();
      }
      return pushService(ctx, store, ttl);
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
