/**
 * The cluster role: Lustre IO per SLURM account, user and process, as the Prometheus Cluster Exporter
 * serves it on :9846, computed from an upstream Prometheus, squeue and getent on every scrape.
 */
import { clusterExporterArgs } from "./program-args.ts";
import { ConfigError, defineRole, type FlagValues, type Role, type RoleService } from "@agent/core";
import { statusPage } from "@agent/core/pages";
import { StagedCollector } from "./collector.ts";
import { addOutcome, addSkipped } from "./exposition.ts";
import { clusterFlags, type ClusterFlags } from "./flags.ts";
import { IdentityResolver } from "./identity.ts";
import { clusterPage } from "./page.ts";
import { queryVector } from "./prometheus.ts";
import { clusterQueries } from "./queries.ts";
import { buildReport, type ScrapeReport } from "./report.ts";
import { SqueueSource } from "./squeue.ts";

export type { ScrapeReport, Ranked, TopLists } from "./report.ts";
export type { StageName, StageOutcome } from "./stages.ts";
export { STAGES } from "./stages.ts";

export interface ClusterService extends RoleService {
  /** The last completed scrape (top accounts, users, process names; stage timings and errors). */
  lastScrape(): ScrapeReport | undefined;
}

function validate(config: FlagValues<ClusterFlags>): void {
  const f = clusterFlags;
  if (config.prometheusUrl === "") {
    throw new ConfigError(`--${f.prometheusUrl.name} is required when the cluster role runs (e.g. http://prometheus:9090)`);
  }
  let url: URL;
  try {
    url = new URL(config.prometheusUrl);
  } catch {
    throw new ConfigError(`--${f.prometheusUrl.name}: "${config.prometheusUrl}" is not a URL (e.g. http://prometheus:9090)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`--${f.prometheusUrl.name}: "${config.prometheusUrl}" must be an http:// or https:// URL`);
  }
  for (const key of ["timeout", "timeRange", "commandTimeout"] as const) {
    if (!(config[key] > 0)) throw new ConfigError(`--${f[key].name} must be greater than 0`);
  }
}

export function clusterRole(): Role<ClusterFlags> & { lastScrape(): ScrapeReport | undefined } {
  let collector: StagedCollector | undefined;
  const lastScrape = () => {
    const outcome = collector?.lastOutcome();
    return outcome && buildReport(outcome);
  };
  const role = defineRole({
    name: "cluster",
    title: "Lustre IO per SLURM account, user and process",
    defaultAddress: ":9846",
    flags: clusterFlags,
    programNames: ["cluster-exporter", "cluster_exporter", "prometheus-cluster-exporter"],
    programArgs: (argv) => ({ args: clusterExporterArgs(argv), ignored: [] }),
    validate,
    async start(ctx): Promise<ClusterService> {
      const config = ctx.config;
      const base = config.prometheusUrl;
      const squeue = new SqueueSource({
        path: config.squeuePath,
        timeoutSeconds: config.commandTimeout,
        ttlSeconds: config.cacheTtl,
      });
      const identity = new IdentityResolver({
        path: config.getentPath,
        timeoutSeconds: config.commandTimeout,
        ttlSeconds: config.identityCacheTtl,
      });
      const active = new StagedCollector(
        {
          queries: clusterQueries(config.timeRange),
          runningJobs: () => squeue.get(),
          query: (promql) => queryVector(base, promql, config.timeout),
          users: (uids) => identity.resolveUsers(uids),
          groups: (gids) => identity.resolveGroups(gids),
        },
        ctx.log,
        { numericNames: config.numericNames },
      );
      collector = active;
      ctx.log.info("querying Prometheus for Lustre job metrics", { prometheus: base });
      return {
        async collect(own) {
          const outcome = await active.collect();
          if (outcome) addOutcome(own, outcome, active);
          else addSkipped(own);
          return own;
        },
        routes: (app) => {
          clusterPage(app, { agent: ctx.agent, lastScrape });
          statusPage(app, { role: "cluster", agent: ctx.agent, flags: clusterFlags, values: config });
        },
        lastScrape,
      };
    },
    async stop() {
      collector = undefined;
    },
  });
  return Object.assign(role, { lastScrape });
}
