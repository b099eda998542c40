import { existsSync } from "node:fs";
import { defineCollector } from "../collector.ts";
import { CpuDirs } from "../cpus.ts";
import { fields, readAttr, readNumber, sysPath } from "../read.ts";

/** cpufreq attribute (kHz) -> metric (Hz). */
const FREQS: [attr: string, name: string, help: string][] = [
  ["cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current CPU thread frequency in hertz."],
  ["cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum CPU thread frequency in hertz."],
  ["cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum CPU thread frequency in hertz."],
  ["scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."],
  ["scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."],
  ["scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."],
];

export const cpufreq = defineCollector({
  name: "cpufreq",
  defaultEnabled: true,
  create({ paths }) {
    const cpuDirs = new CpuDirs(paths);
    return {
      collect(out) {
        const base = sysPath(paths, "devices/system/cpu");
        for (const name of cpuDirs.names()) {
          const dir = `${base}/${name}/cpufreq/`;
          // One stat instead of eight failed opens (each a thrown error) on hosts without cpufreq.
          if (!existsSync(dir)) continue;
          const cpu = name.slice(3);
          for (const [attr, metric, help] of FREQS) {
            const khz = readNumber(dir + attr);
            if (khz !== null) out.gauge(metric, help, khz * 1000, { cpu });
          }
          const governor = readAttr(dir + "scaling_governor");
          const available = readAttr(dir + "scaling_available_governors");
          if (governor !== null && available !== null) {
            const fam = out.family("node_cpu_scaling_governor", "gauge", "Current enabled CPU frequency governor.");
            for (const g of fields(available)) fam.add(g === governor ? 1 : 0, { cpu, governor: g });
          }
        }
      },
    };
  },
});
