import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectText, expectGolden, FIXTURES, promtoolProblems } from "../testing/golden.ts";
import { logind } from "./logind.ts";

describe("logind collector", () => {
  test("counts sessions per seat, remote, type and class, every combination written (logind replayed in busctl's JSON)", async () => {
    const text = await collectText(logind, { config: { command: join(FIXTURES, "logind", "busctl") } });
    expectGolden("logind", text);
    expect(text).toContain('node_logind_sessions{class="user",remote="false",seat="seat0",type="tty"} 1\n');
    expect(text).toContain('node_logind_sessions{class="user",remote="true",seat="",type="tty"} 1\n');
    // class "manager" is not one node_exporter knows: other; a session gone meanwhile is not counted
    expect(text).toContain('node_logind_sessions{class="other",remote="false",seat="",type="unspecified"} 1\n');
    expect(text.split("\n").filter((l) => l.startsWith("node_logind_sessions{")).length).toBe(2 * 7 * 5 * 2);
    expect(promtoolProblems(text)).toEqual([]);
  });

  describe("against a real D-Bus daemon without logind", () => {
    let dir: string;
    let bus: ReturnType<typeof Bun.spawn>;
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "agent-logind-"));
      const config = join(dir, "bus.conf");
      writeFileSync(config, `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=${dir}/bus</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`);
      bus = Bun.spawn(["dbus-daemon", `--config-file=${config}`, "--nofork", "--nopidfile"], { stdout: "ignore", stderr: "ignore" });
      for (let i = 0; i < 50 && !(await Bun.file(join(dir, "bus")).exists()); i++) await Bun.sleep(20);
      process.env.DBUS_SYSTEM_BUS_ADDRESS = `unix:path=${dir}/bus`;
    });
    afterAll(async () => {
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
      bus.kill();
      await bus.exited;
      rmSync(dir, { recursive: true, force: true });
    });

    test("the collector fails with busctl's reason (success 0)", async () => {
      await expect(collectText(logind)).rejects.toThrow("The name org.freedesktop.login1 was not provided");
    });
  });
});
