#!/usr/bin/env bun
/** The agent binary's entry: the command line (cli.ts) over the roles this binary knows (roles.ts). */
import { runCli } from "./cli.ts";
import { allRoles } from "./roles.ts";

// process.argv0 is the name the program was called by (a link's name), not the file it resolves to.
process.exitCode = await runCli(process.argv0, process.argv.slice(2), allRoles());
