// PLACEHOLDER until the cluster role lands: serves only the frame's own metrics.
import { defineRole } from "@agent/core";

export function clusterRole() {
  return defineRole({
    name: "cluster",
    title: "Lustre IO per SLURM account, user and process",
    defaultAddress: ":9846",
    flags: {},
    async start() {
      return { metrics: (own) => own.render() };
    },
    async stop() {},
  });
}
