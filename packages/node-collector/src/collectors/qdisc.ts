/**
 * Root queueing disciplines' statistics from an RTM_GETQDISC dump (node_exporter's qdisc collector, off by
 * default), or from a results.json fixture in node_exporter's --collector.qdisc.fixtures format.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { attrString, dumpLinks, forEachAttr, rtnlDump } from "../netlink.ts";
import { deviceFilter } from "../read.ts";

const RTM_NEWQDISC = 36;
const RTM_GETQDISC = 38;
const TCA = { KIND: 1, STATS: 3, STATS2: 7 } as const;
const TCA_STATS = { BASIC: 1, QUEUE: 3 } as const;
const TC_H_ROOT = 0xffffffff;

/** One qdisc, with the field names of node_exporter's fixture JSON (github.com/ema/qdisc's QdiscInfo). */
export interface QdiscInfo {
  IfaceName: string;
  /** 0 for a root qdisc (the kernel's TC_H_ROOT). */
  Parent: number;
  Kind: string;
  Bytes: number;
  Packets: number;
  Drops: number;
  Requeues: number;
  Overlimits: number;
  Qlen: number;
  Backlog: number;
}

function dumpQdiscs(names: Map<number, string>): QdiscInfo[] | null {
  const out: QdiscInfo[] = [];
  // struct tcmsg (20 bytes), all zero: every qdisc of every device
  const ok = rtnlDump(RTM_GETQDISC, new Uint8Array(20), RTM_NEWQDISC, (view, off, end) => {
    const ifindex = view.getInt32(off + 4, true);
    const parent = view.getUint32(off + 12, true);
    const q: QdiscInfo = {
      IfaceName: names.get(ifindex) ?? "", Parent: parent === TC_H_ROOT ? 0 : parent, Kind: "",
      Bytes: 0, Packets: 0, Drops: 0, Requeues: 0, Overlimits: 0, Qlen: 0, Backlog: 0,
    };
    // the kernel sends TCA_STATS2 and then the legacy TCA_STATS with the same counters; both are read in
    // order, as node_exporter's library does, and only TCA_STATS2 has requeues
    forEachAttr(view, off + 20, end, (type, d, dlen) => {
      if (type === TCA.KIND) q.Kind = attrString(d, dlen);
      else if (type === TCA.STATS2) {
        forEachAttr(view, d, d + dlen, (t, s, slen) => {
          if (t === TCA_STATS.BASIC && slen >= 12) {
            q.Bytes = Number(view.getBigUint64(s, true));
            q.Packets = view.getUint32(s + 8, true);
          } else if (t === TCA_STATS.QUEUE && slen >= 20) {
            q.Qlen = view.getUint32(s, true);
            q.Backlog = view.getUint32(s + 4, true);
            q.Drops = view.getUint32(s + 8, true);
            q.Requeues = view.getUint32(s + 12, true);
            q.Overlimits = view.getUint32(s + 16, true);
          }
        });
      } else if (type === TCA.STATS && dlen >= 36) {
        // struct tc_stats: bytes u64, packets, drops, overlimits, bps, pps, qlen, backlog (u32 each)
        q.Bytes = Number(view.getBigUint64(d, true));
        q.Packets = view.getUint32(d + 8, true);
        q.Drops = view.getUint32(d + 12, true);
        q.Overlimits = view.getUint32(d + 16, true);
        q.Qlen = view.getUint32(d + 28, true);
        q.Backlog = view.getUint32(d + 32, true);
      }
    });
    // a device removed between the two dumps has no name left; it is skipped
    if (q.IfaceName !== "") out.push(q);
  });
  return ok ? out : null;
}

/** results.json as node_exporter's fixtures write it: absent fields are zero. */
function readFixture(dir: string): QdiscInfo[] {
  const raw = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Partial<QdiscInfo>[];
  if (!Array.isArray(raw)) throw new Error(`${join(dir, "results.json")}: not a JSON array`);
  return raw.map((q) => ({
    IfaceName: q.IfaceName ?? "", Parent: q.Parent ?? 0, Kind: q.Kind ?? "", Bytes: q.Bytes ?? 0, Packets: q.Packets ?? 0,
    Drops: q.Drops ?? 0, Requeues: q.Requeues ?? 0, Overlimits: q.Overlimits ?? 0, Qlen: q.Qlen ?? 0, Backlog: q.Backlog ?? 0,
  }));
}

const FAMILIES: [field: keyof QdiscInfo, name: string, type: "counter" | "gauge", help: string][] = [
  ["Bytes", "node_qdisc_bytes_total", "counter", "Number of bytes sent."],
  ["Packets", "node_qdisc_packets_total", "counter", "Number of packets sent."],
  ["Drops", "node_qdisc_drops_total", "counter", "Number of packets dropped."],
  ["Requeues", "node_qdisc_requeues_total", "counter", "Number of packets dequeued, not transmitted, and requeued."],
  ["Overlimits", "node_qdisc_overlimits_total", "counter", "Number of overlimit packets."],
  ["Qlen", "node_qdisc_current_queue_length", "gauge", "Number of packets currently in queue to be sent."],
  ["Backlog", "node_qdisc_backlog", "gauge", "Number of bytes currently in queue to be sent."],
];

export const qdisc = defineCollector({
  name: "qdisc",
  defaultEnabled: false,
  flags: {
    fixtures: flag.string("collector.qdisc.fixtures", "", "test fixtures to use for qdisc collector end-to-end testing"),
    deviceInclude: flag.regex("collector.qdisc.device-include", "", "Regexp of qdisc devices to include (mutually exclusive to device-exclude)."),
    deviceExclude: flag.regex("collector.qdisc.device-exclude", "", "Regexp of qdisc devices to exclude (mutually exclusive to device-include)."),
    oldDeviceInclude: flag.regex("collector.qdisk.device-include", "", "DEPRECATED: Use collector.qdisc.device-include"),
    oldDeviceExclude: flag.regex("collector.qdisk.device-exclude", "", "DEPRECATED: Use collector.qdisc.device-exclude"),
  },
  create: ({ config }) => ({
    collect(out, { scrape }) {
      let qdiscs: QdiscInfo[];
      if (config.fixtures !== "") qdiscs = readFixture(config.fixtures);
      else {
        const links = scrape.once(dumpLinks);
        const dumped = links && dumpQdiscs(new Map(links.map((l) => [l.index, l.name])));
        // node_exporter fails the scrape when rtnetlink cannot be dialled; so does this
        if (!dumped) throw new Error("couldn't list qdiscs over rtnetlink");
        qdiscs = dumped;
      }
      const keep = deviceFilter(config.deviceInclude ?? config.oldDeviceInclude, config.deviceExclude ?? config.oldDeviceExclude);
      // only root qdiscs, in client_golang's label order (device, then kind)
      const roots = qdiscs
        .filter((q) => q.Parent === 0 && keep(q.IfaceName))
        .sort((a, b) => (a.IfaceName < b.IfaceName ? -1 : a.IfaceName > b.IfaceName ? 1 : a.Kind < b.Kind ? -1 : a.Kind > b.Kind ? 1 : 0));
      if (roots.length === 0) return;
      for (const [field, name, type, help] of FAMILIES) {
        const fam = out.family(name, type, help);
        for (const q of roots) fam.add(q[field] as number, { device: q.IfaceName, kind: q.Kind });
      }
    },
  }),
});
