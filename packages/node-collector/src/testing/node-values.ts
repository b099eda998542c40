/** The node role's flag values for a command line, as the role would parse them, for tests of the registry and history. */
import { parseArgv, resolveFlags, type FlagValues } from "@agent/core";
import type { Collector } from "../collector.ts";
import { nodeFlags, type NodeValues } from "../flags.ts";
import { historyFlags } from "../history.ts";

export function nodeValues(collectors: readonly Collector[], argv: string[]): NodeValues & FlagValues<typeof historyFlags> {
  const flags = { ...nodeFlags(collectors), ...historyFlags };
  return resolveFlags(flags, parseArgv(argv, [{ title: "node", flags }]).values);
}
