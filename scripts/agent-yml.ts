// Writes deploy/agent.yml, the example config with every key, from the flag definitions.
import { join } from "node:path";
import { exampleConfig } from "../packages/agent/src/config-example.ts";
import { flagGroups } from "../packages/agent/src/global-flags.ts";
import { allRoles } from "../packages/agent/src/roles.ts";

const target = join(import.meta.dir, "../deploy/agent.yml");
await Bun.write(target, exampleConfig(flagGroups(allRoles())));
console.log(`wrote ${target}`);
