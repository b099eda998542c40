import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { systemd } from "./systemd.ts";
import { collectText, expectGolden, FIXTURES } from "../testing/golden.ts";

const fake = join(FIXTURES, "systemd", "systemctl");

describe("systemd collector", () => {
  test("unit states from systemctl, node_exporter's default excludes, service types (golden)", async () => {
    const text = await collectText(systemd, { config: { command: fake } });
    expectGolden("systemd", text);
    expect(text).toContain(`node_systemd_unit_state{name="nginx.service",state="failed",type="forking"} 1\n`);
    expect(text).toContain(`node_systemd_unit_state{name="nginx.service",state="active",type="forking"} 0\n`);
    expect(text).toContain(`node_systemd_unit_state{name="apt-daily.timer",state="active",type=""} 1\n`);
    expect(text).not.toContain(`name="dev-vda.device"`);
    expect(text).not.toContain(`name="user.slice"`);
    expect(text).toContain("node_systemd_system_running 0\n");
    expect(text).toContain(`node_systemd_version{version="252.38-1~deb12u1"} 252\n`);
    expect(text).toContain(`node_systemd_units{state="failed"} 1\n`);
  });

  test("a host without systemd (systemctl missing or failing) yields nothing", async () => {
    expect(await collectText(systemd, { config: { command: "/nonexistent/systemctl" } })).toBe("");
    expect(await collectText(systemd, { config: { command: "false" } })).toBe("");
  });
});

describe("systemd's optional metrics and node_exporter's deprecated unit filters", () => {
  test("--collector.systemd.enable-restarts-metrics and enable-task-metrics: services only, a count systemctl does not show is left out", async () => {
    const text = await collectText(systemd, { config: { command: fake, restartsMetrics: true, taskMetrics: true } });
    expect(text).toContain("# TYPE node_systemd_service_restart_total counter\n");
    expect(text).toContain(`node_systemd_service_restart_total{name="nginx.service"} 5\n`);
    expect(text).toContain(`node_systemd_service_restart_total{name="cron.service"} 0\n`);
    expect(text).not.toMatch(/node_systemd_service_restart_total\{name="apt-daily.timer"/);
    expect(text).toContain(`node_systemd_unit_tasks_current{name="cron.service"} 1\n`);
    expect(text).not.toContain(`node_systemd_unit_tasks_current{name="nginx.service"}`); // [not set]
    expect(text).toContain(`node_systemd_unit_tasks_max{name="nginx.service"} 4915\n`);
    expect(text).not.toContain(`node_systemd_unit_tasks_max{name="ssh.service"}`); // infinity
    expect(text).not.toContain("node_systemd_unit_start_time_seconds");
  });

  test("--collector.systemd.enable-start-time-metrics: every kept unit, 0 where not active, microseconds kept", async () => {
    const text = await collectText(systemd, { config: { command: fake, startTimeMetrics: true } });
    const times = Object.fromEntries([...text.matchAll(/^node_systemd_unit_start_time_seconds\{name="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1], m[2]]));
    expect(times).toEqual({
      "apt-daily.timer": "1.764058442999999e+09",
      "cron.service": "1.764058443512345e+09",
      "dbus.socket": "0",
      "nginx.service": "0",
      "ssh.service": "1.764058444000007e+09",
      "systemd-fsck-root.service": "0",
    });
    expect(text).not.toContain("node_systemd_service_restart_total");
  });

  test("--collector.systemd.unit-whitelist and unit-blacklist stand in for unit-include and unit-exclude", async () => {
    const names = (text: string) => [...new Set([...text.matchAll(/node_systemd_unit_state\{name="([^"]+)"/g)].map((m) => m[1]))].sort();
    expect(names(await collectText(systemd, { config: { command: fake, unitWhitelist: /.+\.service/ } }))).toEqual(["cron.service", "nginx.service", "ssh.service", "systemd-fsck-root.service"]);
    expect(names(await collectText(systemd, { config: { command: fake, unitBlacklist: /.+\.(service|slice|device)/ } }))).toEqual(["-.mount", "apt-daily.timer", "dbus.socket"]);
  });
});
