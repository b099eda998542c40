import { describe, expect, test } from "bun:test";
import { MetricSet, parseText } from "@agent/core";
import { collectFromNetlink, collectFromSysfs } from "./collectors/netclass.ts";
import { netdev } from "./collectors/netdev.ts";
import { ScrapeMemo } from "./collector.ts";
import { dumpLinks } from "./netlink.ts";
import { DEFAULT_PATHS, listDir, readText } from "./read.ts";
import { collectText } from "./testing/golden.ts";

const opts = { ignoreInvalidSpeed: false, ignoredDevices: undefined };

describe("netlink RTM_GETLINK dump (live host)", () => {
  test("one dump is shared by the collectors of a scrape, and the next scrape asks the kernel again", () => {
    const scrape = new ScrapeMemo();
    const first = scrape.once(dumpLinks);
    expect(first).not.toBeNull();
    expect(scrape.once(dumpLinks)).toBe(first);
    expect(new ScrapeMemo().once(dumpLinks)).not.toBe(first);
  });

  test("lists the same interfaces as /sys/class/net, with their index and MTU", () => {
    const links = dumpLinks();
    expect(links).not.toBeNull();
    const names = links!.map((l) => l.name).sort();
    expect(names).toEqual(listDir("/sys/class/net").filter((n) => n !== "bonding_masters").sort());
    for (const l of links!) {
      expect(l.index).toBe(Number(readText(`/sys/class/net/${l.name}/ifindex`)!.trim()));
      expect(l.mtu).toBe(Number(readText(`/sys/class/net/${l.name}/mtu`)!.trim()));
    }
  });

  test("netclass from netlink serves exactly what netclass from sysfs serves", () => {
    const fromSysfs = new MetricSet();
    collectFromSysfs(fromSysfs, DEFAULT_PATHS, opts, new Map());
    const fromNetlink = new MetricSet();
    collectFromNetlink(fromNetlink, DEFAULT_PATHS, dumpLinks()!, opts, new Map());
    expect(fromNetlink.render()).toBe(fromSysfs.render());
  });

  test("netdev from netlink has /proc/net/dev's devices and families, byte counters inside a before/after window", async () => {
    // The live procfs under another spelling: the collector reads /proc/net/dev instead of asking netlink.
    const procDev = { ...DEFAULT_PATHS, procfs: "/proc/." };
    await Bun.sleep(60); // past the window in which one dump is shared between netdev and netclass
    const before = parseText(await collectText(netdev, { paths: procDev }));
    const live = parseText(await collectText(netdev, { paths: DEFAULT_PATHS }));
    const after = parseText(await collectText(netdev, { paths: procDev }));
    expect(live.map((f) => f.name)).toEqual(before.map((f) => f.name));
    const series = (fams: typeof live, name: string) => new Map(fams.find((f) => f.name === name)!.samples.map((s) => [s.labels.device, s.value]));
    for (const name of ["node_network_receive_bytes_total", "node_network_transmit_packets_total"]) {
      const b = series(before, name);
      const l = series(live, name);
      const a = series(after, name);
      expect([...l.keys()].sort()).toEqual([...b.keys()].sort());
      for (const [dev, v] of l) {
        expect(v).toBeGreaterThanOrEqual(b.get(dev)!);
        expect(v).toBeLessThanOrEqual(a.get(dev)!);
      }
    }
  });
});
