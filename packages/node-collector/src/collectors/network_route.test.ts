import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { expectGolden, promtoolProblems } from "../testing/golden.ts";
import { NetNs } from "../testing/netns.ts";
import { familiesOf, scrapeNodeExporter } from "../testing/node-exporter.ts";

let ns: NetNs;

beforeAll(() => {
  ns = new NetNs();
  const ip = (...a: string[]) => ns.run("ip", ...a);
  // veth pairs: this host's kernel has no dummy driver
  for (const [dev, peer] of [["d0", "p0"], ["d1", "p1"]]) {
    ip("link", "add", dev!, "type", "veth", "peer", "name", peer!);
    ip("link", "set", dev!, "up");
  }
  ip("addr", "add", "10.1.0.1/24", "dev", "d0");
  ip("addr", "add", "10.2.0.1/24", "dev", "d1");
  ip("-6", "addr", "add", "2001:db8:1::1/64", "dev", "d0", "nodad");
  ip("route", "add", "default", "via", "10.1.0.254", "dev", "d0", "metric", "100");
  ip("route", "add", "10.9.0.0/16", "proto", "bird", "nexthop", "via", "10.1.0.2", "dev", "d0", "weight", "3", "nexthop", "via", "10.2.0.2", "dev", "d1");
  ip("route", "add", "192.168.7.0/24", "dev", "d1", "proto", "static", "src", "10.2.0.1");
  // the same route in another table: one series, counted twice
  ip("route", "add", "192.168.7.0/24", "dev", "d1", "proto", "static", "src", "10.2.0.1", "table", "100");
  ip("-6", "route", "add", "2001:db8:99::/48", "via", "2001:db8:1::fe", "dev", "d0", "proto", "zebra", "metric", "7");
  ip("route", "add", "blackhole", "10.66.0.0/16");
});

afterAll(() => ns.remove());

describe("network_route collector (a network namespace of its own)", () => {
  test("lists unicast routes with device, gateway, source, metric, protocol and multipath weights", () => {
    const text = ns.collect("network_route", "network_route");
    expectGolden("network_route", text);
    expect(text).toContain('node_network_route_info{dest="10.9.0.0/16",device="d0",gw="10.1.0.2",priority="0",proto="bird",src="",weight="3"} 1\n');
    expect(text).toContain('node_network_route_info{dest="2001:db8:99::/48",device="d0",gw="2001:db8:1::fe",priority="7",proto="zebra",src="",weight=""} 1\n');
    expect(text).not.toContain("10.66.0.0"); // blackhole, not unicast
    expect(text).toContain('node_network_routes{device="d1"} 4\n');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("serves what node_exporter serves in the same namespace", async () => {
    const theirs = await scrapeNodeExporter("network_route", [], ns);
    expect(familiesOf(ns.collect("network_route", "network_route"), "node_network_rout")).toEqual(familiesOf(theirs, "node_network_rout"));
  });
});
