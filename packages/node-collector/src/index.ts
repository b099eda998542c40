/** The node role: node_exporter's collectors behind node_exporter's flags, on :9100. */
import { defineRole, flag, type Role } from "@agent/core";
import { statusPage } from "@agent/core/pages";
import { allCollectors } from "./collectors/all.ts";
import { historyFlags, NodeHistory } from "./history.ts";
import { nodePage } from "./page.ts";
import { splitUnknownCollectorFlags } from "./program-args.ts";
import { nodeFlags } from "./flags.ts";
import { NodeRegistry } from "./registry.ts";

export type { Collector, CollectorInstance, CreateContext, NodePaths, ScrapeContext } from "./collector.ts";
export { defineCollector } from "./collector.ts";

/** node_exporter's own web flag that only its handler has: Pushgateway and the Cluster Exporter set no limit. */
const webFlags = {
  webMaxRequests: flag.int("web.max-requests", 40, "Scrapes of the node role's metrics served at once; more are answered 503 (0: no limit)."),
};

export function nodeRole(): Role {
  let history: NodeHistory | undefined;
  const flags = { ...nodeFlags(allCollectors), ...historyFlags, ...webFlags };
  return defineRole({
    name: "node",
    title: "node_exporter-compatible host metrics",
    defaultAddress: ":9100",
    flags,
    // The node page is the agent's home page: remote write's queues show there.
    hostsSharedPages: true,
    programNames: ["node_exporter", "prometheus-node-exporter"],
    programArgs: splitUnknownCollectorFlags,
    maxScrapesInFlight: (config) => config.webMaxRequests,
    async start(ctx) {
      const registry = new NodeRegistry(allCollectors, ctx.config, ctx.log);
      ctx.log.info("collectors enabled", { collectors: registry.enabled.map((e) => e.collector.name).join(",") });
      const sampler = (history = new NodeHistory(registry, ctx.config, ctx.log));
      registry.observe((sets, results) => sampler.offer(sets, results));
      sampler.start();
      return {
        collect: (own, scrape) => registry.collect(own, scrape?.query && registry.select(scrape.query)),
        routes: (app) => {
          nodePage(app, { agent: ctx.agent, history: sampler, registry, sections: ctx.pageSections });
          statusPage(app, { role: "node", agent: ctx.agent, flags, values: ctx.config });
        },
      };
    },
    async stop() {
      history?.stop();
      history = undefined;
    },
  });
}
