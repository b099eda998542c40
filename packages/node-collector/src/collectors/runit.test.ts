import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { runit } from "./runit.ts";
import { collectText, expectGolden, FIXTURES } from "../testing/golden.ts";

const SERVICES = join(FIXTURES, "runit", "service");

describe("runit collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(runit, { config: { serviceDir: SERVICES } });
    expectGolden("runit", text);
    expect(text).toMatch(/^node_service_state\{service="web",supervisor="runit"\} 1$/m);
    expect(text).toMatch(/^node_service_state_last_change_timestamp_seconds\{service="web",supervisor="runit"\} 1\.76472e\+09$/m);
    expect(text).toMatch(/^node_service_desired_state\{service="cron",supervisor="runit"\} 0$/m);
    expect(text).toMatch(/^node_service_normal_state\{service="cron",supervisor="runit"\} 0$/m);
    // A symlinked service counts; a plain file and a service runsv has not started do not.
    expect(text).toMatch(/^node_service_state\{service="ntpd",supervisor="runit"\} 2$/m);
    expect(text).not.toContain("README");
    expect(text).not.toContain("nostatus");
  });

  test("a missing service directory fails the collector", async () => {
    await expect(collectText(runit, { config: { serviceDir: "/nonexistent/service" } })).rejects.toThrow(/nonexistent/);
  });

  test.skipIf(Bun.which("runsv") === null)("reads the status a real runsv writes", async () => {
    const dir = mkdtempSync("/tmp/runit-");
    const svc = join(dir, "sleeper");
    mkdirSync(svc);
    writeFileSync(join(svc, "run"), "#!/bin/sh\nexec sleep 300\n");
    chmodSync(join(svc, "run"), 0o755);
    const before = Math.floor(Date.now() / 1000);
    const runsv = Bun.spawn(["runsv", svc], { stdout: "ignore", stderr: "ignore" });
    try {
      let text = "";
      for (let i = 0; i < 100 && !/node_service_state\{service="sleeper",supervisor="runit"\} 1/.test(text); i++) {
        await Bun.sleep(50);
        if (existsSync(join(svc, "supervise", "status"))) text = await collectText(runit, { config: { serviceDir: dir } });
      }
      expect(text).toMatch(/^node_service_state\{service="sleeper",supervisor="runit"\} 1$/m);
      expect(text).toMatch(/^node_service_desired_state\{service="sleeper",supervisor="runit"\} 1$/m);
      expect(text).toMatch(/^node_service_normal_state\{service="sleeper",supervisor="runit"\} 1$/m);
      const changed = Number(/^node_service_state_last_change_timestamp_seconds\{service="sleeper",supervisor="runit"\} (\d(?:\.\d+)?e\+09)$/m.exec(text)![1]);
      expect(changed).toBeGreaterThanOrEqual(before - 1);
      expect(changed).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));

      // `sv down` stops it: state 0, wanted down.
      Bun.spawnSync(["sv", "down", svc]);
      for (let i = 0; i < 100 && !/node_service_state\{service="sleeper",supervisor="runit"\} 0/.test(text); i++) {
        await Bun.sleep(50);
        text = await collectText(runit, { config: { serviceDir: dir } });
      }
      expect(text).toMatch(/^node_service_state\{service="sleeper",supervisor="runit"\} 0$/m);
      expect(text).toMatch(/^node_service_desired_state\{service="sleeper",supervisor="runit"\} 0$/m);
    } finally {
      // TERM makes runsv stop the service and exit.
      runsv.kill("SIGTERM");
      await runsv.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
