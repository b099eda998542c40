import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cpu } from "./cpu.ts";
import { collectText, expectGolden, FIXTURES, instantiate, scrapeText } from "../testing/golden.ts";

describe("cpu collector", () => {
  test("matches the golden file, with per-CPU info and the throttle counters", async () => {
    const text = await collectText(cpu, { config: { info: true, flagsInclude: /^(sse2|avx2?)$/, bugsInclude: /^spectre/ } });
    expectGolden("cpu", text);
    expect(text).toContain('node_cpu_isolated{cpu="1"} 1\n');
    expect(text).not.toContain('node_cpu_isolated{cpu="0"}');
    expect(text).toMatch(/^node_cpu_info\{cachesize="[^"]*",core="\d+",cpu="1",family="\d+",microcode="[^"]*",model="\d+",model_name="[^"]+",package="\d+",stepping="\d+",vendor="\w+"\} 1$/m);
    expect(text).toContain(`node_cpu_flag_info{flag="sse2"} 1\n`);
    expect(text).toContain(`node_cpu_core_throttles_total{core="1",package="0"} 6\n`);
    expect(text).toContain(`node_cpu_package_throttles_total{package="0"} 3\n`);
  });

  test("converts USER_HZ ticks to seconds per cpu and mode, guest modes separately", async () => {
    const stat = readFileSync(join(FIXTURES, "proc/stat"), "latin1");
    const cpu0 = /^cpu0 (.*)$/m.exec(stat)![1]!.split(" ").map(Number);
    const text = await collectText(cpu);
    expect(text).toContain(`node_cpu_seconds_total{cpu="0",mode="user"} ${cpu0[0]! / 100}\n`);
    expect(text).toContain(`node_cpu_seconds_total{cpu="0",mode="steal"} ${cpu0[7]! / 100}\n`);
    expect(text).toContain(`node_cpu_guest_seconds_total{cpu="0",mode="nice"} ${cpu0[9]! / 100}\n`);
    expect(text).not.toContain("node_cpu_info");
    expect(await collectText(cpu, { config: { guest: false } })).not.toContain("node_cpu_guest_seconds_total");
  });

  test("a counter the kernel steps backwards is held at its last value", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cpu-"));
    const write = (idle: number) => writeFileSync(join(dir, "stat"), `cpu  1 2 3 ${idle} 5 6 7 8 0 0\ncpu0 1 2 3 ${idle} 5 6 7 8 0 0\nintr 1\n`);
    const instance = instantiate(cpu, { paths: { procfs: dir } });
    write(1000);
    expect(await scrapeText(instance)).toContain(`node_cpu_seconds_total{cpu="0",mode="idle"} 10\n`);
    write(900);
    expect(await scrapeText(instance)).toContain(`node_cpu_seconds_total{cpu="0",mode="idle"} 10\n`);
    // A new instance (a restart) has nothing to hold.
    expect(await collectText(cpu, { paths: { procfs: dir } })).toContain(`node_cpu_seconds_total{cpu="0",mode="idle"} 9\n`);
    write(1100);
    expect(await scrapeText(instance)).toContain(`node_cpu_seconds_total{cpu="0",mode="idle"} 11\n`);
  });

  test("idle going back 3 s or more (a CPU replugged) resets that CPU's counters, as node_exporter does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cpu-"));
    const line = (cpu: number, user: number, idle: number) => `cpu${cpu} ${user} 2 3 ${idle} 5 6 7 8 0 0\n`;
    const write = (...cpus: string[]) => writeFileSync(join(dir, "stat"), `cpu  1 2 3 4 5 6 7 8 0 0\n${cpus.join("")}intr 1\n`);
    const instance = instantiate(cpu, { paths: { procfs: dir } });
    write(line(0, 500, 1000), line(1, 500, 1000));
    await scrapeText(instance);
    // cpu0: idle 2.99 s back is held, user with it; cpu1: 3 s back is a reset, user follows the kernel down.
    write(line(0, 100, 701), line(1, 100, 700));
    let text = await scrapeText(instance);
    expect(text).toContain(`node_cpu_seconds_total{cpu="0",mode="idle"} 10\n`);
    expect(text).toContain(`node_cpu_seconds_total{cpu="0",mode="user"} 5\n`);
    expect(text).toContain(`node_cpu_seconds_total{cpu="1",mode="idle"} 7\n`);
    expect(text).toContain(`node_cpu_seconds_total{cpu="1",mode="user"} 1\n`);
    // cpu1 offline, then back with lower counters: it was forgotten, so they are taken as they are.
    write(line(0, 600, 1100));
    expect(await scrapeText(instance)).not.toContain(`node_cpu_seconds_total{cpu="1"`);
    write(line(0, 600, 1100), line(1, 50, 650));
    text = await scrapeText(instance);
    expect(text).toContain(`node_cpu_seconds_total{cpu="1",mode="idle"} 6.5\n`);
    expect(text).toContain(`node_cpu_seconds_total{cpu="1",mode="user"} 0.5\n`);
    rmSync(dir, { recursive: true, force: true });
  });

  test("throttles: a CPU without topology ids is skipped; a core's count is its first CPU's", async () => {
    const sys = mkdtempSync(join(tmpdir(), "cpu-throttle-"));
    const cpuDir = (n: number, ids: [string, string] | null, core: number, pkg: number) => {
      const d = join(sys, "devices", "system", "cpu", `cpu${n}`);
      mkdirSync(join(d, "thermal_throttle"), { recursive: true });
      mkdirSync(join(d, "topology"), { recursive: true });
      if (ids) {
        writeFileSync(join(d, "topology", "physical_package_id"), ids[0] + "\n");
        writeFileSync(join(d, "topology", "core_id"), ids[1] + "\n");
      }
      writeFileSync(join(d, "thermal_throttle", "core_throttle_count"), `${core}\n`);
      writeFileSync(join(d, "thermal_throttle", "package_throttle_count"), `${pkg}\n`);
    };
    cpuDir(0, ["0", "0"], 5, 9);
    cpuDir(1, ["0", "0"], 6, 10); // cpu0's hyperthread sibling
    cpuDir(2, null, 7, 11);
    const text = await collectText(cpu, { paths: { sysfs: sys } });
    expect(text.match(/^node_cpu_(core|package)_throttles_total.*$/gm)).toEqual([
      `node_cpu_core_throttles_total{core="0",package="0"} 5`,
      `node_cpu_package_throttles_total{package="0"} 9`,
    ]);
    rmSync(sys, { recursive: true, force: true });
  });

  test("with --collector.cpu.info and cpufreq disabled, each CPU's cpuinfo MHz is node_cpu_frequency_hertz, as in 1.8.2", async () => {
    const text = await collectText(cpu, { config: { info: true }, disabled: ["cpufreq"] });
    expect(text).toContain("# HELP node_cpu_frequency_hertz CPU frequency in hertz from /proc/cpuinfo.\n");
    expect(text).toContain(`node_cpu_frequency_hertz{core="0",cpu="0",package="0"} 2.7e+09\n`);
    expect(await collectText(cpu, { config: { info: true } })).not.toContain("node_cpu_frequency_hertz");
  });

  test("node_cpu_isolated reads the kernel's cpulist ranges", async () => {
    const sys = mkdtempSync(join(tmpdir(), "cpu-isolated-"));
    mkdirSync(join(sys, "devices", "system", "cpu"), { recursive: true });
    writeFileSync(join(sys, "devices", "system", "cpu", "isolated"), "0-2,5\n");
    const text = await collectText(cpu, { paths: { sysfs: sys } });
    expect([...text.matchAll(/^node_cpu_isolated\{cpu="(\d+)"\} 1$/gm)].map((m) => m[1])).toEqual(["0", "1", "2", "5"]);
    rmSync(sys, { recursive: true, force: true });
  });
});
