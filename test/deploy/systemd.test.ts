// deploy/agent.service is what hosts install: systemd must accept it, and its settings must not break what
// the agent does on those hosts (GPUs, the timex collector, exit 2 for a bad config).
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentBinary, REPO_ROOT, runAgent } from "../harness/index.ts";

const text = readFileSync(join(REPO_ROOT, "deploy/agent.service"), "utf8");
const dir = mkdtempSync(join(tmpdir(), "unit-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every value of a key, in order (systemd keys may repeat). */
function values(key: string): string[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1).trim());
}

test("systemd-analyze verify accepts the unit, with ExecStart pointed at the built binary", () => {
  const unit = join(dir, "agent.service");
  writeFileSync(unit, text.replaceAll("/usr/local/bin/agent", agentBinary()));
  const p = Bun.spawnSync(["systemd-analyze", "verify", "--man=no", unit], { stdout: "pipe", stderr: "pipe" });
  expect(p.stderr.toString() + p.stdout.toString()).toBe("");
  expect(p.exitCode).toBe(0);
});

test("/dev/nvidia* stays reachable: no PrivateDevices=, and the device cgroup lets NVIDIA's groups through", () => {
  expect(values("PrivateDevices").filter((v) => v !== "no")).toEqual([]);
  const policy = values("DevicePolicy").at(-1);
  if (policy !== undefined && policy !== "auto") expect(values("DeviceAllow")).toContain("char-nvidia* rw");
});

test("no ProtectClock=: it makes adjtimex fail, so the timex collector would fail on every host", () => {
  expect(values("ProtectClock").filter((v) => v !== "no")).toEqual([]);
  expect(values("SystemCallFilter").join(" ")).not.toContain("@clock");
});

test("a bad command line (exit 2) is not restarted", async () => {
  const bad = await runAgent(["--no-such-flag"]);
  expect(bad.code).toBe(2);
  expect(values("RestartPreventExitStatus").join(" ").split(/\s+/)).toContain("2");
});

test("Documentation= names nothing the install does not create", () => {
  for (const doc of values("Documentation").flatMap((v) => v.split(/\s+/))) expect(doc).toMatch(/^(https?|man):/);
});
