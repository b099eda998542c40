// The Prometheus files under deploy/ are what sites copy: they must load in a real Prometheus toolchain.
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../harness/index.ts";

const dir = join(REPO_ROOT, "deploy/prometheus");

function promtool(args: string[], cwd = dir) {
  const p = Bun.spawnSync(["promtool", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() };
}

test("rules.yml passes promtool check rules", () => {
  const r = promtool(["check", "rules", "rules.yml"]);
  expect(r.out).toContain("SUCCESS");
  expect(r.code).toBe(0);
});

// promtool evaluates every rule at every minute of each test group's span (27 h): seconds, more on a busy machine.
test("rules.yml passes its unit tests (promtool test rules)", () => {
  const r = promtool(["test", "rules", "rules.test.yml"]);
  expect(r.out).toContain("SUCCESS");
  expect(r.code).toBe(0);
}, 30_000);

test("a Prometheus config made of scrape.yml's jobs passes promtool check config, file_sd targets included", () => {
  const tmp = mkdtempSync(join(tmpdir(), "scrape-check-"));
  try {
    // Prometheus 2.42 (Debian) predates scrape_config_files, so embed the jobs the way the file's header says.
    const scrape = Bun.YAML.parse(readFileSync(join(dir, "scrape.yml"), "utf8")) as {
      scrape_configs: Array<{ job_name: string; honor_labels?: boolean; file_sd_configs: Array<{ files: string[] }> }>;
    };
    expect(scrape.scrape_configs.map((j) => j.job_name).sort()).toEqual(["cluster", "node", "push"]);
    expect(scrape.scrape_configs.find((j) => j.job_name === "push")!.honor_labels).toBe(true);
    for (const job of scrape.scrape_configs) {
      for (const sd of job.file_sd_configs) sd.files = sd.files.map((f) => join(dir, "targets", f.split("/").pop()!));
    }
    const config = join(tmp, "prometheus.yml");
    writeFileSync(config, JSON.stringify({ global: { scrape_interval: "15s" }, rule_files: [join(dir, "rules.yml")], ...scrape }));
    const r = promtool(["check", "config", config], tmp);
    expect(r.out).toContain("SUCCESS");
    expect(r.code).toBe(0);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
