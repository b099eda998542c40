/** AMD GPU cards from sysfs class/drm/card<N>/device (node_exporter's drm collector; other drivers are skipped). */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { listDir, readAttr, sysPath } from "../read.ts";

/** The device attributes read as numbers, with the family each becomes. */
const GAUGES: [file: string, name: string, help: string][] = [
  ["gpu_busy_percent", "node_drm_gpu_busy_percent", "How busy the GPU is as a percentage."],
  ["mem_info_gtt_total", "node_drm_memory_gtt_size_bytes", "The size of the graphics translation table (GTT) block in bytes."],
  ["mem_info_gtt_used", "node_drm_memory_gtt_used_bytes", "The used amount of the graphics translation table (GTT) block in bytes."],
  ["mem_info_vram_total", "node_drm_memory_vram_size_bytes", "The size of VRAM in bytes."],
  ["mem_info_vram_used", "node_drm_memory_vram_used_bytes", "The used amount of VRAM in bytes."],
  ["mem_info_vis_vram_total", "node_drm_memory_vis_vram_size_bytes", "The size of visible VRAM in bytes."],
  ["mem_info_vis_vram_used", "node_drm_memory_vis_vram_used_bytes", "The used amount of visible VRAM in bytes."],
];

export const drm = defineCollector({
  name: "drm",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const base = sysPath(paths, "class/drm");
      // Only card0..card9, as node_exporter's card[0-9] glob; connectors (card0-DP-1) are not cards.
      for (const card of listDir(base).filter((n) => /^card\d$/.test(n)).sort()) {
        const dev = join(base, card, "device");
        const uevent = readAttr(join(dev, "uevent"));
        if (uevent === null) throw new Error(`drm: cannot read ${join(dev, "uevent")}`);
        // node_exporter 1.8.2 (procfs 0.14) lists other drivers' cards too, as amd cards of zeros; later
        // versions skip them, and so do we.
        if (!uevent.includes("DRIVER=amdgpu")) continue;
        const text = (file: string) => readAttr(join(dev, file)) ?? "";
        // An attribute this card lacks reads as 0 or "", as in node_exporter.
        out.gauge("node_drm_card_info", "Card information", 1, {
          card,
          memory_vendor: text("mem_info_vram_vendor"),
          power_performance_level: text("power_dpm_force_performance_level"),
          unique_id: text("unique_id"),
          vendor: "amd",
        });
        for (const [file, name, help] of GAUGES) {
          const v = text(file);
          out.gauge(name, help, /^\d+$/.test(v) ? Number(v) : 0, { card });
        }
      }
    },
  }),
});
