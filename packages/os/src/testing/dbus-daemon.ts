/**
 * A private dbus-daemon for tests: a system-type bus on a socket of its own (a path in a temporary directory,
 * or an abstract name), open to every connection of this uid. Tests that need a bus start one; the host's
 * bus is never touched.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstLine } from "./first-line.ts";

export interface TestBus {
  /** The bus's address, for DBUS_SYSTEM_BUS_ADDRESS. */
  address: string;
  stop(): Promise<void>;
}

export async function startDbusDaemon(opts: { abstract?: boolean } = {}): Promise<TestBus> {
  const dir = mkdtempSync(join(tmpdir(), "agent-dbus-"));
  const listen = opts.abstract ? `unix:abstract=${dir.slice(1).replaceAll("/", "-")}` : `unix:path=${join(dir, "bus")}`;
  const config = join(dir, "bus.conf");
  writeFileSync(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>${listen}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`,
  );
  // --print-address says when the bus listens (and, for an abstract socket, the address with its guid)
  const proc = Bun.spawn(["dbus-daemon", `--config-file=${config}`, "--nofork", "--nopidfile", "--print-address"], { stdout: "pipe", stderr: "ignore" });
  const printed = await firstLine(proc.stdout);
  if (!printed.includes("\n")) throw new Error(`dbus-daemon exited (${await proc.exited}) before listening`);
  return {
    address: printed.trim(),
    async stop() {
      proc.kill();
      await proc.exited;
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
