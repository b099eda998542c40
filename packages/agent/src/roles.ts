/** Every role this binary knows. Adding a role is one package and one line here. */
import type { Role } from "@agent/core";
import { clusterRole } from "@agent/cluster-exporter";
import { nodeRole } from "@agent/node-collector";
import { pushRole } from "@agent/pushgateway-store";

export function allRoles(): Role[] {
  return [nodeRole(), pushRole(), clusterRole()] as Role[];
}
