/** Linux software RAID state from /proc/mdstat (node_exporter's mdadm collector, procfs mdstat rules). */
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { fields, readText } from "../read.ts";

interface MdStat {
  name: string;
  state: string;
  active: number;
  total: number;
  failed: number;
  spare: number;
  blocks: number;
  synced: number;
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** `[4/3] [_UUU]` on the status line -> required and active disks. */
function statusDisks(status: string): { total: number; active: number } | null {
  const open = status.lastIndexOf("[", status.lastIndexOf("[") - 1);
  const m = open >= 0 ? /^\[(\d+)\/(\d+)\] \[[U_]+\]/.exec(status.slice(open)) : null;
  return m ? { total: Number(m[1]), active: Number(m[2]) } : null;
}

/** `(533211136/1953423360)` on a sync line -> blocks done. */
function syncedBlocks(line: string): number {
  const open = line.indexOf("(");
  const slash = line.indexOf("/", open);
  const v = open >= 0 && slash > open ? Number(line.slice(open + 1, slash)) : NaN;
  if (Number.isNaN(v)) throw new Error(`mdadm: unexpected sync line "${line.trim()}"`);
  return v;
}

export function parseMdstat(text: string): MdStat[] {
  const lines = text.split("\n");
  const out: MdStat[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "" || line[0] === " " || line[0] === "\t" || line.startsWith("Personalities") || line.startsWith("unused")) continue;
    const f = fields(line);
    if (f.length < 3) throw new Error(`mdadm: not enough fields in mdline: ${line}`);
    if (lines.length <= i + 3) throw new Error(`mdadm: too few lines for md device ${f[0]}`);
    const status = lines[i + 1]!;
    const blocks = Number(fields(status)[0]);
    if (Number.isNaN(blocks)) throw new Error(`mdadm: unexpected status line "${status.trim()}"`);
    let active = 0;
    let total = 0;
    if (line.includes("raid0") || line.includes("linear")) {
      // Striped and linear arrays have no [n/m] status; every listed member counts.
      active = total = count(line, "[");
    } else if (!line.includes("inactive")) {
      const d = statusDisks(status);
      if (!d) throw new Error(`mdadm: cannot find disk counts in "${status.trim()}"`);
      ({ total, active } = d);
    }
    const syncLine = lines[lines[i + 2]!.includes("bitmap") ? i + 3 : i + 2]!;
    let state = f[2]!;
    let synced = blocks;
    const recovering = syncLine.includes("recovery");
    const resyncing = syncLine.includes("resync");
    const checking = syncLine.includes("check");
    if (recovering || resyncing || checking) {
      state = recovering ? "recovering" : checking ? "checking" : "resyncing";
      synced = syncLine.includes("PENDING") || syncLine.includes("DELAYED") ? 0 : syncedBlocks(syncLine);
    }
    out.push({ name: f[0]!, state, active, total, failed: count(line, "(F)"), spare: count(line, "(S)"), blocks, synced });
  }
  return out;
}

/** node_md_state{state} label -> the parsed activity state it stands for. */
const STATES: [label: string, state: string][] = [
  ["active", "active"],
  ["inactive", "inactive"],
  ["recovering", "recovering"],
  ["resync", "resyncing"],
  ["check", "checking"],
];

export const mdadm = defineCollector({
  name: "mdadm",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const path = join(paths.procfs, "mdstat");
      const text = readText(path);
      if (text === null) throw new NoDataError(path);
      const stats = parseMdstat(text);
      const state = out.family("node_md_state", "gauge", "Indicates the state of md-device.");
      const disks = out.family("node_md_disks", "gauge", "Number of active/failed/spare disks of device.");
      const required = out.family("node_md_disks_required", "gauge", "Total number of disks of device.");
      const blocks = out.family("node_md_blocks", "gauge", "Total number of blocks on device.");
      const synced = out.family("node_md_blocks_synced", "gauge", "Number of blocks synced on device.");
      for (const md of stats) {
        const device = md.name;
        disks.add(md.active, { device, state: "active" });
        disks.add(md.failed, { device, state: "failed" });
        disks.add(md.spare, { device, state: "spare" });
        required.add(md.total, { device });
        for (const [label, s] of STATES) state.add(md.state === s ? 1 : 0, { device, state: label });
        blocks.add(md.blocks, { device });
        synced.add(md.synced, { device });
      }
    },
  }),
});
