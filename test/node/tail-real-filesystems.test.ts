// The compiled agent and the real node_exporter on real btrfs (two loop devices, raid1: sysfs allocation plus
// the device ioctls) and xfs (per-device /sys/fs/xfs stats) filesystems made for this test. Needs root, loop
// devices, mkfs.btrfs and mkfs.xfs; skipped where any is missing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";
import { canLoopMount, mountLoopFs, type LoopFs } from "../../packages/node-collector/src/testing/loop-fs.ts";
import { startAgent, type RunningAgent } from "../harness/index.ts";
import { startNodeExporter, type RunningNodeExporter } from "./node-exporter.ts";

const possible = canLoopMount("mkfs.btrfs") && canLoopMount("mkfs.xfs") && Bun.which("prometheus-node-exporter") !== null;
const COLLECTORS = ["--collector.disable-defaults", "--collector.btrfs", "--collector.xfs"];

/** `family labels` -> value, for the series of the given filesystems only (the host may have its own). */
function series(text: string, keep: (family: string, labels: Record<string, string>) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of parseText(text)) {
    for (const s of f.samples) {
      if (!keep(f.name, s.labels)) continue;
      out.set(`${f.name} ${f.type} ${JSON.stringify(Object.entries(s.labels).sort())}`, s.value);
    }
  }
  return out;
}

describe.skipIf(!possible)("btrfs and xfs collectors on real filesystems", () => {
  let btrfsFs: LoopFs;
  let xfsFs: LoopFs;
  let ne: RunningNodeExporter;
  let agent: RunningAgent;
  let before: Map<string, number>;
  let ours: Map<string, number>;
  let after: Map<string, number>;

  beforeAll(async () => {
    btrfsFs = mountLoopFs(["mkfs.btrfs", "-q", "-d", "raid1", "-m", "raid1"], 2, 300);
    xfsFs = mountLoopFs(["mkfs.xfs", "-q"], 1, 320);
    for (const fs of [btrfsFs, xfsFs]) writeFileSync(join(fs.mountpoint, "data"), Buffer.alloc(4 << 20, 1));
    Bun.spawnSync(["sync"]);
    const xfsDevice = xfsFs.devices[0]!.slice("/dev/".length);
    const keep = (family: string, labels: Record<string, string>) =>
      (family.startsWith("node_btrfs_") && labels.uuid === btrfsFs.uuid) || (family.startsWith("node_xfs_") && labels.device === xfsDevice);
    ne = await startNodeExporter(COLLECTORS);
    agent = await startAgent({ roles: ["node"], args: COLLECTORS });
    const scrape = async (url: string) => series(await (await fetch(`${url}/metrics`)).text(), keep);
    before = await scrape(ne.url);
    ours = await scrape(agent.urls.node!);
    after = await scrape(ne.url);
  }, 60000);

  afterAll(async () => {
    await agent?.stop();
    await ne?.stop();
    xfsFs?.remove();
    btrfsFs?.remove();
  });

  test("node_exporter sees both filesystems, with btrfs device error counters", () => {
    const names = [...before.keys()].map((k) => k.split(" ")[0]);
    expect(names).toContain("node_btrfs_device_errors_total");
    expect(names).toContain("node_btrfs_device_unused_bytes");
    expect(names).toContain("node_xfs_write_calls_total");
  });

  test("the agent serves the same series, values within node_exporter's before/after window", () => {
    expect([...ours.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [key, v] of ours) {
      const lo = Math.min(before.get(key)!, after.get(key)!);
      const hi = Math.max(before.get(key)!, after.get(key)!);
      expect({ key, inWindow: v >= lo && v <= hi }).toEqual({ key, inWindow: true });
    }
  });
});
