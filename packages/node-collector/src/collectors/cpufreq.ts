import { existsSync } from "node:fs";
import { defineCollector } from "../collector.ts";
import { CpuDirs, parseCpuList } from "../cpus.ts";
import { sysPath } from "../read.ts";
import { optionalRead, readStrict, readUintStrict } from "../strict-read.ts";

/** cpufreq attribute (kHz) -> metric (Hz). */
const FREQS: [attr: string, name: string, help: string][] = [
  ["cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current CPU thread frequency in hertz."],
  ["cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum CPU thread frequency in hertz."],
  ["cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum CPU thread frequency in hertz."],
  ["scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."],
  ["scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."],
  ["scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."],
];

/**
 * Text attributes node_exporter's sysfs library requires of every cpufreq directory: one missing or unreadable
 * fails the collector, though only the governors are exported.
 */
const REQUIRED = ["scaling_available_governors", "scaling_driver", "scaling_governor", "related_cpus", "scaling_setspeed"];

interface CpuFreq {
  cpu: string;
  khz: (number | null)[];
  governor: string;
  available: string;
}

/** One CPU's cpufreq directory; a frequency that is missing or forbidden is left out, any other error throws. */
function readCpu(cpu: string, dir: string): CpuFreq {
  const khz = FREQS.map(([attr]) => optionalRead(() => readUintStrict(dir + attr)));
  // Read, not exported, as node_exporter does: an error reading it fails the collector as well.
  optionalRead(() => readUintStrict(dir + "cpuinfo_transition_latency"));
  const text = REQUIRED.map((attr) => readStrict(dir + attr));
  return { cpu, khz, available: text[0]!, governor: text[2]! };
}

export const cpufreq = defineCollector({
  name: "cpufreq",
  defaultEnabled: true,
  create({ paths }) {
    const cpuDirs = new CpuDirs(paths);
    return {
      collect(out) {
        const base = sysPath(paths, "devices/system/cpu");
        // As node_exporter 1.8.2 does: every CPU is read before anything is added, and any error but a missing
        // cpufreq directory or frequency fails the collector, a missing `offline` list and no CPU at all too.
        const offline = new Set(parseCpuList(readStrict(base + "/offline")));
        const names = cpuDirs.names();
        if (names.length === 0) throw new Error(`could not find any cpufreq files: no CPU under ${base}`);
        const cpus: CpuFreq[] = [];
        for (const name of names) {
          const cpu = name.slice(3);
          if (offline.has(Number(cpu))) continue;
          const dir = `${base}/${name}/cpufreq/`;
          // One stat instead of a dozen failed opens (each a thrown error) on hosts without cpufreq.
          if (!existsSync(dir)) continue;
          cpus.push(readCpu(cpu, dir));
        }
        for (const c of cpus) {
          FREQS.forEach(([, metric, help], i) => {
            const khz = c.khz[i];
            if (khz !== null && khz !== undefined) out.gauge(metric, help, khz * 1000, { cpu: c.cpu });
          });
          if (c.governor === "") continue;
          const fam = out.family("node_cpu_scaling_governor", "gauge", "Current enabled CPU frequency governor.");
          for (const g of c.available.split(" ")) fam.add(g === c.governor ? 1 : 0, { cpu: c.cpu, governor: g });
        }
      },
    };
  },
});
