#!/usr/bin/env bun
/**
 * The agent as packages/agent/src/main.ts builds it, with one role more: what adding a role to roles.ts
 * does, without putting a test role into dist/agent.
 */
import { runCli } from "../../../packages/agent/src/cli.ts";
import { allRoles } from "../../../packages/agent/src/roles.ts";
import { tallyRole } from "./index.ts";

process.exitCode = await runCli(process.argv0, process.argv.slice(2), [...allRoles(), tallyRole()]);
