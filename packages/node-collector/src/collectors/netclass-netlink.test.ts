import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NetNs } from "../testing/netns.ts";
import { familiesOf, scrapeNodeExporter } from "../testing/node-exporter.ts";

describe("netclass --collector.netclass.netlink (a network namespace of its own)", () => {
  let ns: NetNs;
  beforeAll(() => {
    ns = new NetNs();
    ns.run("ip", "link", "add", "d0", "type", "veth", "peer", "name", "p0");
    ns.run("ip", "link", "add", "br0", "type", "bridge");
    // no IPv6 and no multicast: nothing sent that the test does not send, so the counters hold still
    for (const dev of ["d0", "p0"]) {
      ns.run("sysctl", "-qw", `net.ipv6.conf.${dev}.disable_ipv6=1`);
      ns.run("ip", "link", "set", dev, "multicast", "off");
    }
    ns.run("ip", "link", "set", "d0", "alias", "uplink to p0");
    ns.run("ip", "link", "set", "d0", "mtu", "1400");
    ns.run("ip", "link", "set", "p0", "up");
    ns.run("ip", "link", "set", "d0", "up");
  });
  afterAll(() => ns.remove());

  test("link attributes from the RTM_GETLINK dump, speed and duplex from ethtool netlink", () => {
    const text = ns.collect("netclass", "netclass", { netlink: true });
    expect(text).toMatch(/^node_network_info\{address="[0-9a-f:]{17}",broadcast="ff:ff:ff:ff:ff:ff",device="d0",duplex="Full",ifalias="uplink to p0",operstate="up"\} 1$/m);
    expect(text).toContain("# HELP node_network_info Non-numeric data of <iface>, value is always 1.\n");
    expect(text).toContain('node_network_mtu_bytes{device="d0"} 1400\n');
    expect(text).toContain('node_network_speed_bytes{device="d0"} 1.25e+09\n'); // veth: 10000 Mb/s
    expect(text).toContain('node_network_carrier{device="p0"} 1\n');
    expect(text).toContain('node_network_carrier{device="br0"} 1\n'); // down, and reported all the same
    // SPEED_UNKNOWN (2^32 - 1 Mb/s) passed through, as 1.8.2 does
    expect(text).toContain('node_network_speed_bytes{device="br0"} 5.36870911875e+14\n');
    // dormant carries IFLA_LINKMODE in node_exporter's netlink mode (1 for none of these devices)
    expect(text).toContain('node_network_dormant{device="d0"} 0\n');
    expect(text).not.toContain("receive_packets_total");
  });

  test("serves what node_exporter serves there, with and without --collector.netclass_rtnl.with-stats", async () => {
    // lo is left out: the scrape of node_exporter itself goes over it
    for (const withStats of [false, true]) {
      const args = ["--collector.netclass.netlink", "--collector.netclass.ignored-devices=^lo$", ...(withStats ? ["--collector.netclass_rtnl.with-stats"] : [])];
      const ours = ns.collect("netclass", "netclass", { netlink: true, withStats, ignoredDevices: "^lo$" });
      if (withStats) expect(ours).toContain('node_network_transmit_packets_total{device="d0"} 0\n');
      // 1.8.2 added three sysfs attributes to this mode that Debian's 1.5 lacks
      const added = ["node_network_address_assign_type", "node_network_device_id", "node_network_name_assign_type"];
      expect(ours).toContain('node_network_name_assign_type{device="d0"} 3\n');
      const theirs = await scrapeNodeExporter("netclass", args, ns);
      expect(familiesOf(ours, "node_network_").filter((f) => !added.includes(f.name))).toEqual(familiesOf(theirs, "node_network_"));
    }
  });
});
