// PLACEHOLDER until the node role lands: serves only the frame's own metrics.
import { defineRole } from "@agent/core";

export function nodeRole() {
  return defineRole({
    name: "node",
    title: "node_exporter-compatible host metrics",
    defaultAddress: ":9100",
    flags: {},
    async start() {
      return { metrics: (own) => own.render() };
    },
    async stop() {},
  });
}
