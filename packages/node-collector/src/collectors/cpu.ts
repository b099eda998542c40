import { existsSync } from "node:fs";
import { flag, type MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { CpuDirs, parseCpuList } from "../cpus.ts";
import { readRequired } from "../strict-read.ts";
import { fields, procPath, readAttr, readNumber, readText, sysPath, USER_HZ } from "../read.ts";
import { keyValues } from "../parsers.ts";
import type { NodePaths } from "../collector.ts";

const MODES = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"] as const;

/**
 * Last value reported per CPU: the 8 modes, then guest and guest_nice. The kernel's per-CPU idle and iowait
 * counters can step backwards (iowait especially, on NOHZ kernels); a counter must not, so the old value is kept.
 */
type LastSeen = Map<string, Float64Array>;
const GUEST = MODES.length;
const IDLE = MODES.indexOf("idle");
/** node_exporter's jumpBackSeconds: how far idle time may go back before a CPU's counters are reset. */
const JUMP_BACK_SECONDS = 3;
/** MODES' indexes in name order, the order the series are served in: nothing left to sort at render. */
const BY_NAME = MODES.map((_, i) => i).sort((a, b) => (MODES[a]! < MODES[b]! ? -1 : 1));

function monotonic(last: Float64Array, slot: number, value: number): number {
  if (value < last[slot]!) return last[slot]!;
  last[slot] = value;
  return value;
}

/** CPUs kept from the scheduler (isolcpus=): the kernel's cpulist, such as "2-5,8", one series each. */
function collectIsolated(out: MetricSet, paths: NodePaths): void {
  const list = readAttr(sysPath(paths, "devices/system/cpu/isolated"));
  if (!list) return;
  const fam = out.family("node_cpu_isolated", "gauge", "Whether each core is isolated, information from /sys/devices/system/cpu/isolated.");
  for (const cpu of parseCpuList(list)) fam.add(1, { cpu: String(cpu) });
}

function collectStat(out: MetricSet, text: string, guest: boolean, state: LastSeen): void {
  const secs = out.family("node_cpu_seconds_total", "counter", "Seconds the CPUs spent in each mode.");
  const seen = new Set<string>();
  const guestFam = guest ? out.family("node_cpu_guest_seconds_total", "counter", "Seconds the CPUs spent in guests (VMs) for each mode.") : undefined;
  let pos = 0;
  while (pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    // Per-CPU lines are "cpuN ..."; the aggregate "cpu  ..." line has a space at index 3.
    if (text.startsWith("cpu", pos) && text.charCodeAt(pos + 3) !== 32) {
      const f = fields(text.slice(pos, end));
      const cpu = f[0]!.slice(3);
      seen.add(cpu);
      let last = state.get(cpu);
      if (!last) state.set(cpu, (last = new Float64Array(GUEST + 2)));
      // Idle gone back by JUMP_BACK_SECONDS or more is a CPU unplugged and plugged again: start it afresh, as
      // node_exporter does; smaller steps back keep the old values.
      if (last[IDLE]! - Number(f[IDLE + 1]) / USER_HZ >= JUMP_BACK_SECONDS) last.fill(0);
      for (const m of BY_NAME) {
        const raw = f[m + 1];
        if (raw !== undefined) secs.add(monotonic(last, m, Number(raw) / USER_HZ), { cpu, mode: MODES[m]! });
      }
      if (guestFam && f.length > 10) {
        guestFam.add(monotonic(last, GUEST + 1, Number(f[10]) / USER_HZ), { cpu, mode: "nice" });
        guestFam.add(monotonic(last, GUEST, Number(f[9]) / USER_HZ), { cpu, mode: "user" });
      }
    } else if (!text.startsWith("cpu", pos)) {
      break; // the cpu lines come first
    }
    pos = end + 1;
  }
  // A CPU gone offline is forgotten, so that it starts afresh when it comes back.
  if (seen.size !== state.size) for (const cpu of state.keys()) if (!seen.has(cpu)) state.delete(cpu);
}

/**
 * /proc/cpuinfo's node_cpu_info, flags and bugs; with `frequencies` (node_exporter does so while cpufreq is
 * disabled) also each CPU's `cpu MHz` as node_cpu_frequency_hertz.
 */
function collectInfo(out: MetricSet, paths: NodePaths, flagsInclude: RegExp | undefined, bugsInclude: RegExp | undefined, frequencies: boolean): void {
  const text = readRequired(procPath(paths, "cpuinfo"));
  const info = out.family("node_cpu_info", "gauge", "CPU information from /proc/cpuinfo.");
  const freq = frequencies ? out.family("node_cpu_frequency_hertz", "gauge", "CPU frequency in hertz from /proc/cpuinfo.") : undefined;
  const flagFam = flagsInclude ? out.family("node_cpu_flag_info", "gauge", "The `flags` field of CPU information from /proc/cpuinfo taken from the first core.") : undefined;
  const bugFam = bugsInclude ? out.family("node_cpu_bug_info", "gauge", "The `bugs` field of CPU information from /proc/cpuinfo taken from the first core.") : undefined;
  let first = true;
  for (const block of text.split("\n\n")) {
    const kv = keyValues(block);
    if (!kv.has("processor")) continue;
    info.add(1, {
      cachesize: kv.get("cache size") ?? "",
      core: kv.get("core id") ?? "",
      cpu: kv.get("processor")!,
      family: kv.get("cpu family") ?? "",
      microcode: kv.get("microcode") ?? "",
      model: kv.get("model") ?? "",
      model_name: kv.get("model name") ?? "",
      package: kv.get("physical id") ?? "",
      stepping: kv.get("stepping") ?? "",
      vendor: kv.get("vendor_id") ?? "",
    });
    freq?.add(Number(kv.get("cpu MHz") ?? 0) * 1e6, { core: kv.get("core id") ?? "", cpu: kv.get("processor")!, package: kv.get("physical id") ?? "" });
    if (first) {
      first = false;
      for (const f of fields(kv.get("flags") ?? "").sort()) if (flagFam && flagsInclude!.test(f)) flagFam.add(1, { flag: f });
      for (const b of fields(kv.get("bugs") ?? "").sort()) if (bugFam && bugsInclude!.test(b)) bugFam.add(1, { bug: b });
    }
  }
}

function collectThrottles(out: MetricSet, paths: NodePaths, cpuDirs: CpuDirs): void {
  const base = sysPath(paths, "devices/system/cpu");
  const cores = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const name of cpuDirs.names()) {
    const dir = base + "/" + name;
    if (!existsSync(dir + "/thermal_throttle")) continue; // absent on VMs: one stat instead of a thrown error
    // As node_exporter: a CPU without its topology ids is skipped, and each core's and package's count is
    // read from the first CPU of it that has one.
    const pkgId = readNumber(dir + "/topology/physical_package_id");
    const coreId = readNumber(dir + "/topology/core_id");
    if (pkgId === null || coreId === null) continue;
    const pkg = String(pkgId);
    const key = pkg + "\0" + String(coreId);
    if (!cores.has(key)) {
      const coreCount = readNumber(dir + "/thermal_throttle/core_throttle_count");
      if (coreCount !== null) cores.set(key, coreCount);
    }
    if (!packages.has(pkg)) {
      const pkgCount = readNumber(dir + "/thermal_throttle/package_throttle_count");
      if (pkgCount !== null) packages.set(pkg, pkgCount);
    }
  }
  const coreFam = out.family("node_cpu_core_throttles_total", "counter", "Number of times this CPU core has been throttled.");
  for (const [k, v] of cores) {
    const [pkg, core] = k.split("\0") as [string, string];
    coreFam.add(v, { core, package: pkg });
  }
  const pkgFam = out.family("node_cpu_package_throttles_total", "counter", "Number of times this CPU package has been throttled.");
  for (const [pkg, v] of packages) pkgFam.add(v, { package: pkg });
}

export const cpu = defineCollector({
  name: "cpu",
  defaultEnabled: true,
  flags: {
    guest: flag.bool("collector.cpu.guest", true, "Enables metric node_cpu_guest_seconds_total."),
    info: flag.bool("collector.cpu.info", false, "Enables metric node_cpu_info."),
    flagsInclude: flag.regex("collector.cpu.info.flags-include", "", "Filter the `flags` field in cpuInfo with a value that must be a regular expression."),
    bugsInclude: flag.regex("collector.cpu.info.bugs-include", "", "Filter the `bugs` field in cpuInfo with a value that must be a regular expression."),
  },
  create({ paths, config, isEnabled }) {
    const lastSeen: LastSeen = new Map();
    const cpuDirs = new CpuDirs(paths);
    const frequencies = !isEnabled("cpufreq");
    return {
      collect(out, { scrape }) {
        if (config.info) collectInfo(out, paths, config.flagsInclude, config.bugsInclude, frequencies);
        collectThrottles(out, paths, cpuDirs);
        const statPath = procPath(paths, "stat");
        collectStat(out, scrape.once(() => readRequired(statPath), statPath), config.guest, lastSeen);
        collectIsolated(out, paths);
      },
    };
  },
});
