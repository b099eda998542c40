#!/usr/bin/env bun
/**
 * agent: one binary, several roles. `agent [serve] [flags]` runs the roles; `agent push` and `agent exec`
 * are the batch-job side; `agent push-store` checks and salvages the push role's store offline; called as
 * node_exporter, pushgateway or cluster-exporter it is that program (program-names.ts).
 * Exit codes: 0 clean stop, 2 bad command line or config, 1 anything else.
 */
import { ConfigError } from "@agent/core";
import { runExecCommand } from "./commands/exec.ts";
import { runPushCommand } from "./commands/push.ts";
import { runPushStoreCommand } from "./commands/push-store.ts";
import { flagGroups } from "./global-flags.ts";
import { argsForProgram, roleOfProgram } from "./program-names.ts";
import { allRoles } from "./roles.ts";
import { serve } from "./serve.ts";

async function main(argv: string[]): Promise<number> {
  // process.argv0 is the name the program was called by (a link's name), not the file it resolves to.
  const role = roleOfProgram(process.argv0);
  if (role) {
    const known = new Set(flagGroups(allRoles()).flatMap((g) => Object.values(g.flags).map((f) => f.name)));
    const { args, ignored } = argsForProgram(role, argv, (name) => known.has(name));
    return serve(args, { roles: [role], ignored });
  }
  const [first, ...rest] = argv;
  switch (first) {
    case "push":
      return runPushCommand(rest);
    case "exec":
      return runExecCommand(rest);
    case "push-store":
      return runPushStoreCommand(rest);
    case "serve":
      return serve(rest);
    default:
      return serve(argv);
  }
}

// Logs are best effort: a reader that went away (a closed pipe, a restarted journald) must neither stop the
// roles nor turn a clean stop into exit 1.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`agent: ${e.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`agent: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
