// PLACEHOLDER until the push role lands: serves only the frame's own metrics.
import { defineRole } from "@agent/core";

export function pushRole() {
  return defineRole({
    name: "push",
    title: "Pushgateway-compatible metrics store",
    defaultAddress: ":9091",
    flags: {},
    async start() {
      return { metrics: (own) => own.render() };
    },
    async stop() {},
  });
}
