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
