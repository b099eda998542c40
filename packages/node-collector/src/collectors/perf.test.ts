import { describe, expect, test } from "bun:test";
import { parseText } from "@agent/core";
import { collectText, promtoolProblems } from "../testing/golden.ts";
import { PERF_TYPE, PerfCounter } from "../perf-event.ts";
import { parseCpus, perf } from "./perf.ts";

const softwareOnly = { noHardware: true, noCache: true };

describe("perf collector (perf_event_open on this host)", () => {
  test("software counters per CPU, counting from the first scrape", async () => {
    const first = parseText(await collectText(perf, { config: { ...softwareOnly, cpus: [0] } }));
    expect(first.map((f) => f.name).sort()).toEqual([
      "node_perf_context_switches_total", "node_perf_cpu_migrations_total", "node_perf_major_faults_total",
      "node_perf_minor_faults_total", "node_perf_page_faults_total",
    ]);
    await Bun.sleep(50);
    const second = parseText(await collectText(perf, { config: { ...softwareOnly, cpus: [0] } }));
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

  test("tracepoints are refused with a message", async () => {
    await expect(collectText(perf, { config: { ...softwareOnly, tracepoint: ["sched:sched_switch"] } })).rejects.toThrow("tracepoint");
  });
});
