/**
 * A build plugin (for `scripts/build.ts --plugin`) that swaps every module that exists only for the built-in
 * pages for an empty stand-in with the same exports the roles import, so that the rest of the agent builds
 * as it would without them: the roles' page.ts, the status page, the node role's history ring, the cluster
 * role's report.
 * The shared layout in @agent/core/pages then has no importer and drops out of the bundle.
 */
import type { BunPlugin } from "bun";

const STANDINS: [RegExp, string][] = [
  [/node-collector[\\/]src[\\/]page\.ts$/, "export function nodePage() {}"],
  [/node-collector[\\/]src[\\/]history\.ts$/, "export const historyFlags = {};\nexport class NodeHistory { start() {} stop() {} offer() {} }"],
  [/cluster-exporter[\\/]src[\\/]page\.ts$/, "export function clusterPage() {}"],
  [/cluster-exporter[\\/]src[\\/]report\.ts$/, "export function buildReport() { return undefined; }"],
  [/pushgateway-store[\\/]src[\\/]page\.ts$/, "export function pushPage() {}"],
  [/core[\\/]src[\\/]pages[\\/]status\.ts$/, "export function statusPage() {}"],
];

const withoutPages: BunPlugin = {
  name: "without-pages",
  setup(build) {
    for (const [filter, contents] of STANDINS) {
      build.onLoad({ filter }, () => ({ contents, loader: "ts" }));
    }
  },
};

export default withoutPages;
