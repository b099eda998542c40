import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseArgv, parseText, resolveFlags } from "@agent/core";
import { collectText, instantiate, promtoolProblems, scrapeText } from "../testing/golden.ts";
import { PERF_TYPE, PerfCounter } from "../perf-event.ts";
import { parseCpus, perf } from "./perf.ts";

const softwareOnly = { noHardware: true, noCache: true };

describe("perf collector (perf_event_open on this host)", () => {
  test("software counters per CPU, counting from the first scrape", async () => {
    const instance = instantiate(perf, { config: { ...softwareOnly, cpus: [0] } });
    const first = parseText(await scrapeText(instance));
    expect(first.map((f) => f.name).sort()).toEqual([
      "node_perf_context_switches_total", "node_perf_cpu_migrations_total", "node_perf_major_faults_total",
      "node_perf_minor_faults_total", "node_perf_page_faults_total",
    ]);
    // an idle CPU 0 may switch no context in a short wait (CI saw none in 50 ms): a process pinned to it that
    // sleeps five times switches at least ten
    const pinned = Bun.spawnSync(["taskset", "-c", "0", "sh", "-c", "for i in 1 2 3 4 5; do sleep 0.01; done"]);
    expect(pinned.exitCode).toBe(0);
    const second = parseText(await scrapeText(instance));
    const switches = (fams: typeof first) => fams.find((f) => f.name === "node_perf_context_switches_total")!.samples[0]!;
    expect(switches(second).labels).toEqual({ cpu: "0" });
    expect(switches(second).value).toBeGreaterThan(switches(first).value);
    expect(promtoolProblems(await collectText(perf, { config: { ...softwareOnly, cpus: [0] } }))).toEqual([]);
  });

  test("every CPU by default, in client_golang's label order", async () => {
    const text = await collectText(perf, { config: softwareOnly });
    const cpus = parseText(text).find((f) => f.name === "node_perf_page_faults_total")!.samples.map((s) => s.labels.cpu!);
    expect(cpus.length).toBe(navigator.hardwareConcurrency);
    expect(cpus).toEqual([...cpus].sort());
  });

  test("hardware counters where the CPU has them; elsewhere the scrape fails, saying why and which flag leaves them out", async () => {
    let pmu = true;
    try {
      PerfCounter.open(PERF_TYPE.HARDWARE, 0n, 0).close();
    } catch {
      pmu = false; // a VM without a virtual PMU (this build host): ENOENT for every hardware counter
    }
    const scrape = collectText(perf, { config: { noSoftware: true, noCache: true, cpus: [0] } });
    if (pmu) expect(await scrape).toMatch(/^node_perf_cpucycles_total\{cpu="0"\} \d+$/m);
    else await expect(scrape).rejects.toThrow("not supported by this CPU or hypervisor; --collector.perf.disable-hardware-profilers leaves them out");
  });

  test("--collector.perf.cpus takes CPUs, ranges and strided ranges; bad values are refused", () => {
    expect(parseCpus("1,3-5,8-16:4")).toEqual([1, 3, 4, 5, 8, 12, 16]);
    expect(() => parseCpus("a")).toThrow("not a CPU number");
    expect(() => parseCpus("1-2-3")).toThrow("invalid flag value");
  });

  test("tracepoints count per CPU where tracefs has them (a mount namespace of its own mounts it)", () => {
    const src = join(import.meta.dir, "perf.ts");
    const golden = join(import.meta.dir, "..", "testing", "golden.ts");
    const script = `import { perf } from ${JSON.stringify(src)}; import { instantiate, scrapeText } from ${JSON.stringify(golden)};
const config = { noHardware: true, noSoftware: true, noCache: true, cpus: [0], tracepoint: ["sched:sched_switch"] };
const instance = instantiate(perf, { config }); await scrapeText(instance); await Bun.sleep(100); process.stdout.write(await scrapeText(instance));`;
    const r = Bun.spawnSync(["unshare", "-m", "sh", "-c", 'mount -t tracefs nodev /sys/kernel/tracing && exec "$0" -e "$1"', process.execPath, script], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    const text = r.stdout.toString();
    expect(text).toContain("# HELP node_perf_sched_sched_switch Perf tracepoint sched:sched_switch\n");
    expect(Number(/^node_perf_sched_sched_switch\{cpu="0"\} (\d+)$/m.exec(text)?.[1])).toBeGreaterThan(0);
  });

  test("--collector.perf.tracepoint given twice keeps both, as node_exporter's repeatable flag does", () => {
    const flags = { tracepoint: perf.flags!.tracepoint };
    const values = resolveFlags(flags, parseArgv(["--collector.perf.tracepoint=sched:a", "--collector.perf.tracepoint", "sched:b,irq:c"], [{ title: "perf", flags }]).values);
    expect(values.tracepoint).toEqual(["sched:a", "sched:b", "irq:c"]);
  });

  test("a tracepoint that is not name:event, or that tracefs does not list, fails the scrape saying so", async () => {
    await expect(collectText(perf, { config: { ...softwareOnly, tracepoint: ["sched_switch"] } })).rejects.toThrow("invalid tracepoint config sched_switch");
    await expect(collectText(perf, { config: { ...softwareOnly, tracepoint: ["nosuch:event"] } })).rejects.toThrow("no id under");
  });
});
