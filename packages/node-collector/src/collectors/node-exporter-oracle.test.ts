/**
 * Differential test: the real node_exporter (Debian's prometheus-node-exporter) and these collectors read
 * the same fixture trees, and must expose the same families, types, help, label sets and values.
 *
 * The Debian package is node_exporter 1.5; where 1.8 (what the agent replaces) changed behaviour, the
 * difference is listed in KNOWN_1_5_DIFFERENCES with the reason, and left out of the comparison.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseText, type MetricFamily } from "@agent/core";
import type { Collector } from "../collector.ts";
import { collectText, FIXTURES, fixturePaths, writeBtrfsDataProfiles } from "../testing/golden.ts";
import { arp } from "./arp.ts";
import { bcache } from "./bcache.ts";
import { bonding } from "./bonding.ts";
import { btrfs } from "./btrfs.ts";
import { buddyinfo } from "./buddyinfo.ts";
import { cgroups } from "./cgroups.ts";
import { drbd } from "./drbd.ts";
import { ksmd } from "./ksmd.ts";
import { lnstat } from "./lnstat.ts";
import { meminfo_numa } from "./meminfo_numa.ts";
import { slabinfo } from "./slabinfo.ts";
import { zoneinfo } from "./zoneinfo.ts";
import { dmi } from "./dmi.ts";
import { edac } from "./edac.ts";
import { infiniband } from "./infiniband.ts";
import { ipvs } from "./ipvs.ts";
import { mdadm } from "./mdadm.ts";
import { nfs } from "./nfs.ts";
import { nfsd } from "./nfsd.ts";
import { nvme } from "./nvme.ts";
import { powersupplyclass } from "./powersupplyclass.ts";
import { rapl } from "./rapl.ts";
import { tapestats } from "./tapestats.ts";
import { xfs } from "./xfs.ts";
import { zfs } from "./zfs.ts";

// fibrechannel (1.5 fails the whole collector on a host without port_type, which 1.8 tolerates), selinux
// (node_exporter reads the real /sys/fs/selinux, not --path.sysfs) and watchdog (new in 1.7) are not compared; nor is drm,
// whose 1.5 and 1.8.2 list other drivers' cards as amd cards of zeros (we skip them), nor softirqs (new in 1.6).
const COMPARED: Collector[] = [arp, bcache, bonding, btrfs, dmi, edac, infiniband, ipvs, mdadm, nfs, nfsd, nvme, powersupplyclass, rapl, tapestats, xfs, zfs, buddyinfo, cgroups, drbd, ksmd, lnstat, meminfo_numa, slabinfo, zoneinfo];

/** Samples (by family and a label match) that differ between 1.5 and 1.8, with the reason. */
const KNOWN_1_5_DIFFERENCES: { family: string; labels: Record<string, string>; why: string }[] = [
  // procfs before the fix skipped OP_SETCLIENTID(_CONFIRM) and read the following NFSv4 ops two slots early.
  ...["Verify", "Write", "RelLockOwner"].map((method) => ({ family: "node_nfsd_requests_total", labels: { proto: "4", method }, why: "proc4ops index fix" })),
  // The procfs 1.8 uses reports the two ops it used to skip, and the wdeleg_getattr line (0 without it).
  ...["SetClientID", "SetClientIDConfirm", "WdelegGetattr"].map((method) => ({ family: "node_nfsd_requests_total", labels: { proto: "4", method }, why: "added with the proc4ops fix" })),
  { family: "node_zfs_zpool_state", labels: { state: "suspended" }, why: "pool state added in 1.6" },
];

const BIN = "prometheus-node-exporter";
const available = Bun.which(BIN) !== null;

function known(family: string, labels: Record<string, string>): boolean {
  return KNOWN_1_5_DIFFERENCES.some((d) => d.family === family && Object.entries(d.labels).every(([k, v]) => labels[k] === v));
}

/** family -> type, help and `labels -> value` with label names sorted, for order-free comparison. */
function index(families: MetricFamily[]): Map<string, { type: string; help?: string; samples: Map<string, number> }> {
  const out = new Map<string, { type: string; help?: string; samples: Map<string, number> }>();
  for (const f of families) {
    const samples = new Map<string, number>();
    for (const s of f.samples) {
      if (known(f.name, s.labels)) continue;
      const key = Object.keys(s.labels).sort().map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(",");
      samples.set(key, s.value);
    }
    // A family whose every sample is a known difference is left out as a whole.
    if (samples.size > 0) out.set(f.name, { type: f.type, help: f.help, samples });
  }
  return out;
}

describe.skipIf(!available)("collectors agree with the real node_exporter on the fixture trees", () => {
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  let theirs = new Map<string, { type: string; help?: string; samples: Map<string, number> }>();

  beforeAll(async () => {
    writeBtrfsDataProfiles();
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = probe.port;
    probe.stop(true);
    proc = Bun.spawn(
      [
        BIN,
        `--web.listen-address=127.0.0.1:${port}`,
        "--collector.disable-defaults",
        ...COMPARED.map((c) => `--collector.${c.name}`),
        `--path.procfs=${fixturePaths.procfs}`,
        `--path.sysfs=${fixturePaths.sysfs}`,
        `--path.rootfs=${FIXTURES}`,
      ],
      { stdout: "ignore", stderr: "ignore" },
    );
    let text = "";
    for (let i = 0; i < 100 && text === ""; i++) {
      try {
        text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      } catch {
        await Bun.sleep(50);
      }
    }
    const families = parseText(text).filter((f) => f.name.startsWith("node_") && !f.name.startsWith("node_scrape_") && !f.name.startsWith("node_exporter_"));
    theirs = index(families);
  });

  afterAll(() => {
    proc?.kill();
  });

  test("node_exporter reported every compared collector as successful", async () => {
    expect(theirs.size).toBeGreaterThan(100);
  });

  for (const c of COMPARED) {
    test(c.name, async () => {
      const ours = index(parseText(await collectText(c)));
      expect(ours.size).toBeGreaterThan(0);
      const theirsForUs = [...theirs.keys()].filter((name) => ours.has(name) || familyOwner(name) === c.name);
      expect([...ours.keys()].sort()).toEqual(theirsForUs.sort());
      for (const [name, f] of ours) {
        const t = theirs.get(name)!;
        expect({ name, type: f.type, help: f.help }).toEqual({ name, type: t.type, help: t.help });
        expect(Object.fromEntries(f.samples)).toEqual(Object.fromEntries(t.samples));
      }
    });
  }
});

/** Which compared collector a node_exporter family belongs to, by the subsystem in its name. */
function familyOwner(name: string): string | undefined {
  const prefixes: [string, string][] = [
    ["node_arp_", "arp"], ["node_bcache_", "bcache"], ["node_bonding_", "bonding"], ["node_btrfs_", "btrfs"],
    ["node_dmi_", "dmi"], ["node_edac_", "edac"], ["node_infiniband_", "infiniband"], ["node_ipvs_", "ipvs"],
    ["node_md_", "mdadm"], ["node_nfsd_", "nfsd"], ["node_nfs_", "nfs"], ["node_nvme_", "nvme"],
    ["node_power_supply_", "powersupplyclass"], ["node_rapl_", "rapl"], ["node_tape_", "tapestats"],
    ["node_xfs_", "xfs"], ["node_zfs_", "zfs"],
    ["node_buddyinfo_", "buddyinfo"], ["node_cgroups_", "cgroups"], ["node_drbd_", "drbd"],
    ["node_ksmd_", "ksmd"], ["node_lnstat_", "lnstat"], ["node_memory_numa_", "meminfo_numa"],
    ["node_slabinfo_", "slabinfo"], ["node_zoneinfo_", "zoneinfo"],
  ];
  return prefixes.find(([p]) => name.startsWith(p))?.[1];
}
