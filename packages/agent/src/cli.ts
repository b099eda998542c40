/**
 * The agent's command line over a list of roles: `agent [serve] [flags]` runs the roles; `agent push` and
 * `agent exec` are the batch-job side; `agent push-store` checks and salvages the push role's store offline;
 * called by a program name a role declares (node_exporter) it is that program (program-names.ts).
 * Exit codes: 0 clean stop, 2 bad command line or config, 1 anything else.
 */
import { ConfigError, type Role } from "@agent/core";
import { runExecCommand } from "./commands/exec.ts";
import { runPushCommand } from "./commands/push.ts";
import { runPushStoreCommand } from "./commands/push-store.ts";
import { flagGroups } from "./global-flags.ts";
import { argsForProgram, roleOfProgram } from "./program-names.ts";
import { serve } from "./serve.ts";

async function dispatch(argv0: string, argv: string[], roles: readonly Role[]): Promise<number> {
  const role = roleOfProgram(argv0, roles);
  if (role) {
    const known = new Set(flagGroups(roles).flatMap((g) => Object.values(g.flags).map((f) => f.name)));
    const { args, ignored } = argsForProgram(role, argv, (name) => known.has(name));
    return serve(args, roles, { roles: [role.name], ignored });
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
      return serve(rest, roles);
    default:
      return serve(argv, roles);
  }
}

/** Runs the command `argv` names and returns the exit code; `argv0` is the name the program was called by. */
export async function runCli(argv0: string, argv: string[], roles: readonly Role[]): Promise<number> {
  // Logs are best effort: a reader that went away (a closed pipe, a restarted journald) must neither stop the
  // roles nor turn a clean stop into exit 1.
  for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
  try {
    return await dispatch(argv0, argv, roles);
  } catch (e) {
    process.stderr.write(`agent: ${(e as Error).message}\n`);
    return e instanceof ConfigError ? 2 : 1;
  }
}
