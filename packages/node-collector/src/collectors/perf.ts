/**
 * CPU performance counters per CPU through perf_event_open (node_exporter's perf collector, off by default):
 * hardware, software and cache counters opened once, on the first scrape, and read on every scrape after.
 * Where the host refuses them (perf_event_paranoid without privilege, a VM or container without a PMU) the
 * scrape fails with success 0 and the reason is logged; node_exporter refuses to start instead.
 */
import { availableParallelism } from "node:os";
import { ConfigError, flag, type FlagSpec } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { PERF_TYPE, PerfCounter, PerfError } from "../perf-event.ts";
import { readAttr } from "../read.ts";

type Event = [key: string, name: string, help: string, type: number, config: bigint];

const HARDWARE: Event[] = [
  ["CpuCycles", "cpucycles_total", "Number of CPU cycles (frequency scaled)", PERF_TYPE.HARDWARE, 0n],
  ["CpuInstr", "instructions_total", "Number of CPU instructions", PERF_TYPE.HARDWARE, 1n],
  ["CacheRef", "cache_refs_total", "Number of cache references (non frequency scaled)", PERF_TYPE.HARDWARE, 2n],
  ["CacheMisses", "cache_misses_total", "Number of cache misses", PERF_TYPE.HARDWARE, 3n],
  ["BranchInstr", "branch_instructions_total", "Number of CPU branch instructions", PERF_TYPE.HARDWARE, 4n],
  ["BranchMisses", "branch_misses_total", "Number of CPU branch misses", PERF_TYPE.HARDWARE, 5n],
  ["StalledCyclesFrontend", "stalled_cycles_frontend_total", "Number of stalled frontend CPU cycles", PERF_TYPE.HARDWARE, 7n],
  ["StalledCyclesBackend", "stalled_cycles_backend_total", "Number of stalled backend CPU cycles", PERF_TYPE.HARDWARE, 8n],
  ["RefCpuCycles", "ref_cpucycles_total", "Number of CPU cycles", PERF_TYPE.HARDWARE, 9n],
];
const SOFTWARE: Event[] = [
  ["PageFault", "page_faults_total", "Number of page faults", PERF_TYPE.SOFTWARE, 2n],
  ["ContextSwitch", "context_switches_total", "Number of context switches", PERF_TYPE.SOFTWARE, 3n],
  ["CpuMigration", "cpu_migrations_total", "Number of CPU process migrations", PERF_TYPE.SOFTWARE, 4n],
  ["MinorFault", "minor_faults_total", "Number of minor page faults", PERF_TYPE.SOFTWARE, 5n],
  ["MajorFault", "major_faults_total", "Number of major page faults", PERF_TYPE.SOFTWARE, 6n],
];
/** PERF_TYPE_HW_CACHE config: cache id | operation << 8 | result << 16 (result 0 access, 1 miss). */
const cache = (id: number, op: number, miss: number) => BigInt(id | (op << 8) | (miss << 16));
const CACHE: Event[] = [
  ["L1DataReadHit", "cache_l1d_read_hits_total", "Number L1 data cache read hits", PERF_TYPE.HW_CACHE, cache(0, 0, 0)],
  ["L1DataReadMiss", "cache_l1d_read_misses_total", "Number L1 data cache read misses", PERF_TYPE.HW_CACHE, cache(0, 0, 1)],
  ["L1DataWriteHit", "cache_l1d_write_hits_total", "Number L1 data cache write hits", PERF_TYPE.HW_CACHE, cache(0, 1, 0)],
  ["L1InstrReadMiss", "cache_l1_instr_read_misses_total", "Number instruction L1 instruction read misses", PERF_TYPE.HW_CACHE, cache(1, 0, 1)],
  ["InstrTLBReadHit", "cache_tlb_instr_read_hits_total", "Number instruction TLB read hits", PERF_TYPE.HW_CACHE, cache(4, 0, 0)],
  ["InstrTLBReadMiss", "cache_tlb_instr_read_misses_total", "Number instruction TLB read misses", PERF_TYPE.HW_CACHE, cache(4, 0, 1)],
  ["LLReadHit", "cache_ll_read_hits_total", "Number last level read hits", PERF_TYPE.HW_CACHE, cache(2, 0, 0)],
  ["LLReadMiss", "cache_ll_read_misses_total", "Number last level read misses", PERF_TYPE.HW_CACHE, cache(2, 0, 1)],
  ["LLWriteHit", "cache_ll_write_hits_total", "Number last level write hits", PERF_TYPE.HW_CACHE, cache(2, 1, 0)],
  ["LLWriteMiss", "cache_ll_write_misses_total", "Number last level write misses", PERF_TYPE.HW_CACHE, cache(2, 1, 1)],
  ["BPUReadHit", "cache_bpu_read_hits_total", "Number BPU read hits", PERF_TYPE.HW_CACHE, cache(5, 0, 0)],
  ["BPUReadMiss", "cache_bpu_read_misses_total", "Number BPU read misses", PERF_TYPE.HW_CACHE, cache(5, 0, 1)],
];

/** `1,3-5,8-16:4`: CPUs, ranges and ranges with a stride, as --collector.perf.cpus reads them. */
export function parseCpus(text: string): number[] {
  const cpus: number[] = [];
  const int = (s: string) => {
    if (!/^\d+$/.test(s)) throw new ConfigError(`--collector.perf.cpus: "${s}" is not a CPU number`);
    return Number(s);
  };
  for (const subset of text.split(",")) {
    if (!subset.includes("-")) {
      cpus.push(int(subset));
      continue;
    }
    const [range, strideText] = subset.split(":");
    const stride = strideText === undefined ? 1 : int(strideText);
    const ends = range!.split("-");
    if (ends.length !== 2 || stride < 1) throw new ConfigError(`--collector.perf.cpus: invalid flag value "${text}"`);
    for (let i = int(ends[0]!); i <= int(ends[1]!); i += stride) cpus.push(i);
  }
  return cpus;
}

function cpusFlag(): FlagSpec<number[] | null> {
  const base = flag.string("collector.perf.cpus", "", "List of CPUs from which perf metrics should be collected");
  return { ...base, default: null, parse: (raw) => (base.parse(raw) === "" ? null : parseCpus(base.parse(raw))), show: (v) => v?.join(",") ?? "" };
}

/** Where tracefs is mounted: its own mount point, or under debugfs on older systems. */
const TRACEFS = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"];

/** `subsystem:event` tracepoints as counters, named node_perf_<subsystem>_<event>, with their tracefs ids. */
function tracepointEvents(list: string[]): Event[] {
  return list.map((tp) => {
    const parts = tp.split(":");
    if (parts.length !== 2) throw new Error(`invalid tracepoint config ${tp}`);
    const [subsystem, event] = parts as [string, string];
    const id = TRACEFS.map((dir) => readAttr(`${dir}/events/${subsystem}/${event}/id`)).find((v) => v !== null);
    if (id === undefined) throw new Error(`perf tracepoint ${tp}: no id under ${TRACEFS.join(" or ")} (is tracefs mounted, and the event there?)`);
    return [tp, `${subsystem}_${event}`, `Perf tracepoint ${tp}`, PERF_TYPE.TRACEPOINT, BigInt(id)];
  });
}

interface Opened {
  name: string;
  help: string;
  cpu: number;
  counter: PerfCounter;
}

/** Opens a class of events on every CPU; a class none of whose events opens is an error, as in node_exporter. */
function openClass(events: Event[], cpus: number[], what: string): Opened[] {
  const out: Opened[] = [];
  let lastError: unknown;
  for (const cpu of cpus) {
    for (const [, name, help, type, config] of events) {
      try {
        out.push({ name: `node_perf_${name}`, help, cpu, counter: PerfCounter.open(type, config, cpu) });
      } catch (e) {
        lastError = e;
      }
    }
  }
  if (out.length === 0 && events.length > 0) {
    const errno = lastError instanceof PerfError ? lastError.errno : undefined;
    const why = errno === 1 || errno === 13 ? "not permitted (perf_event_paranoid, or no CAP_PERFMON)" : errno === 2 || errno === 95 ? "not supported by this CPU or hypervisor" : String((lastError as Error)?.message);
    const remedy = what === "tracepoint" ? "" : `; --collector.perf.disable-${what}-profilers leaves them out`;
    throw new Error(`perf ${what} counters: ${why}${remedy}`);
  }
  return out;
}

export const perf = defineCollector({
  name: "perf",
  defaultEnabled: false,
  flags: {
    cpus: cpusFlag(),
    tracepoint: flag.list("collector.perf.tracepoint", [], "perf tracepoint that should be collected"),
    noHardware: flag.bool("collector.perf.disable-hardware-profilers", false, "disable perf hardware profilers"),
    hardware: flag.list("collector.perf.hardware-profilers", [], "perf hardware profilers that should be collected"),
    noSoftware: flag.bool("collector.perf.disable-software-profilers", false, "disable perf software profilers"),
    software: flag.list("collector.perf.software-profilers", [], "perf software profilers that should be collected"),
    noCache: flag.bool("collector.perf.disable-cache-profilers", false, "disable perf cache profilers"),
    cache: flag.list("collector.perf.cache-profilers", [], "perf cache profilers that should be collected"),
  },
  create({ config }) {
    const cpus = config.cpus ?? [...Array(availableParallelism()).keys()];
    // node_exporter's hardware and software lists add to the full set (so every counter stays on); only the
    // cache list narrows its set
    const cacheEvents = config.cache.length > 0 ? CACHE.filter(([key]) => config.cache.includes(key)) : CACHE;
    const open = (): Opened[] => {
      const counters: Opened[] = [];
      try {
        if (!config.noHardware) counters.push(...openClass(HARDWARE, cpus, "hardware"));
        if (!config.noSoftware) counters.push(...openClass(SOFTWARE, cpus, "software"));
        if (!config.noCache) counters.push(...openClass(cacheEvents, cpus, "cache"));
        if (config.tracepoint.length > 0) counters.push(...openClass(tracepointEvents(config.tracepoint), cpus, "tracepoint"));
      } catch (e) {
        // nothing stays open from a failed attempt; the next scrape tries again (privileges may have changed)
        for (const o of counters) o.counter.close();
        throw e;
      }
      return counters.sort((a, b) => (String(a.cpu) < String(b.cpu) ? -1 : String(a.cpu) > String(b.cpu) ? 1 : 0));
    };
    /** Opened at the first scrape and kept open: the counters count from then. */
    let opened: Opened[] | undefined;
    return {
      collect(out) {
        opened ??= open();
        for (const o of opened) out.counter(o.name, o.help, o.counter.value(), { cpu: String(o.cpu) });
      },
    };
  },
});
