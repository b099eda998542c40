import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { promtoolProblems } from "../testing/golden.ts";
import { NetNs } from "../testing/netns.ts";
import { familiesOf, scrapeNodeExporter } from "../testing/node-exporter.ts";

describe("ethtool collector (SIOCETHTOOL in a network namespace of its own)", () => {
  let ns: NetNs;
  beforeAll(() => {
    ns = new NetNs();
    ns.run("ip", "link", "add", "d0", "type", "veth", "peer", "name", "p0");
    ns.run("ip", "link", "add", "br0", "type", "bridge");
  });
  afterAll(() => ns.remove());

  test("driver information, link modes and driver statistics of the namespace's devices", () => {
    const text = ns.collect("ethtool", "ethtool");
    expect(text).toMatch(/^node_ethtool_info\{bus_info="",device="d0",driver="veth",expansion_rom_version="",firmware_version="",version="[^"]+"\} 1$/m);
    expect(text).toMatch(/^node_ethtool_info\{bus_info="N\/A",device="br0",driver="bridge",/m);
    // veth's statistics: its peer's ifindex and per-queue XDP counters, rx/tx spelled out
    expect(text).toMatch(/^node_ethtool_peer_ifindex\{device="d0"\} \d+$/m);
    expect(text).toMatch(/^node_ethtool_received_queue_0_xdp_packets\{device="p0"\} 0$/m);
    expect(text).toContain('node_network_autonegotiate{device="d0"} 0\n');
    // lo supports no ethtool operation: nothing, and no failure
    expect(text).not.toContain('device="lo"');
    expect(promtoolProblems(text).filter((p) => !p.includes("no help text") && !p.includes("non-counter"))).toEqual([]);
  });

  test("device and metric filters", () => {
    const text = ns.collect("ethtool", "ethtool", { deviceExclude: "^p", metricsInclude: "^peer" });
    expect(text).toContain('node_ethtool_peer_ifindex{device="d0"}');
    expect(text).not.toContain('device="p0"');
    expect(text).not.toContain("node_ethtool_received_");
  });

  test("serves what node_exporter serves in the same namespace", async () => {
    const theirs = await scrapeNodeExporter("ethtool", [], ns);
    const ours = ns.collect("ethtool", "ethtool");
    expect(familiesOf(ours, "node_")).toEqual(familiesOf(theirs, "node_").filter((f) => !f.name.startsWith("node_scrape_") && !f.name.startsWith("node_exporter_")));
  });
});
