/**
 * One binary, many names. Called through a link named after a program a role replaces (Role.programNames),
 * the agent runs that role alone by default and reads that program's command line (Role.programArgs), so an
 * existing unit's ExecStart keeps working after one `ln -s`.
 */
import { basename } from "node:path";
import type { Role } from "@agent/core";

/** The role a program name stands for, or undefined for any other name (`agent`). */
export function roleOfProgram(argv0: string, roles: readonly Role[]): Role | undefined {
  const name = basename(argv0);
  return roles.find((r) => r.programNames?.includes(name));
}

/**
 * The agent command line for a program name, and the words left out because the agent has no such
 * feature. The role itself is not in it: serve() takes it as the default of --roles.
 */
export function argsForProgram(role: Role, argv: readonly string[], known: (flag: string) => boolean): { args: string[]; ignored: string[] } {
  return role.programArgs ? role.programArgs(argv, known) : { args: [...argv], ignored: [] };
}
