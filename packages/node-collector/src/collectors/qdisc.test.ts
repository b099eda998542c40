import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseText } from "@agent/core";
import { collectText, expectGolden, FIXTURES, promtoolProblems } from "../testing/golden.ts";
import { NetNs } from "../testing/netns.ts";
import { familiesOf, scrapeNodeExporter } from "../testing/node-exporter.ts";
import { qdisc } from "./qdisc.ts";

const fixtures = join(FIXTURES, "qdisc");

describe("qdisc collector, --collector.qdisc.fixtures", () => {
  test("root qdiscs of node_exporter's results.json format, child qdiscs left out", async () => {
    const text = await collectText(qdisc, { config: { fixtures } });
    expectGolden("qdisc", text);
    expect(text).toContain('node_qdisc_bytes_total{device="docker0",kind="noqueue"} 1.2345678901e+10\n');
    expect(text).toContain('node_qdisc_backlog{device="wlan0",kind="fq"} 4542\n');
    expect(text).not.toContain("fq_codel"); // Parent 1:1, not a root qdisc
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("device-include and device-exclude (and the deprecated qdisk spellings) filter devices", async () => {
    const devices = async (filter: { deviceInclude?: RegExp; deviceExclude?: RegExp; oldDeviceExclude?: RegExp }) =>
      [...new Set(parseText(await collectText(qdisc, { config: { fixtures, ...filter } })).flatMap((f) => f.samples.map((s) => s.labels.device)))].sort();
    expect(await devices({ deviceInclude: /^eth/ })).toEqual(["eth0"]);
    expect(await devices({ deviceExclude: /^eth/ })).toEqual(["docker0", "wlan0"]);
    expect(await devices({ oldDeviceExclude: /^(eth|wlan)/ })).toEqual(["docker0"]);
  });

  test("serves what node_exporter serves from the same fixture", async () => {
    const ours = await collectText(qdisc, { config: { fixtures } });
    expect(familiesOf(ours, "node_qdisc_")).toEqual(familiesOf(await scrapeNodeExporter("qdisc", [`--collector.qdisc.fixtures=${fixtures}`]), "node_qdisc_"));
  });

  test("a missing fixture fails the collector", async () => {
    await expect(collectText(qdisc, { config: { fixtures: "/nonexistent" } })).rejects.toThrow("results.json");
    await expect(collectText(qdisc, { config: { fixtures: join(FIXTURES, "golden") } })).rejects.toThrow("results.json");
  });
});

describe("qdisc collector, live rtnetlink (a network namespace of its own)", () => {
  let ns: NetNs;
  beforeAll(() => {
    ns = new NetNs();
    // no IPv6: its router solicitations would add packets the test does not send
    ns.run("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
    ns.run("ip", "link", "add", "d0", "type", "veth", "peer", "name", "p0");
    ns.run("ip", "addr", "add", "10.1.0.1/24", "dev", "d0");
    // nor IGMP reports
    for (const dev of ["d0", "p0"]) ns.run("ip", "link", "set", dev, "multicast", "off");
    ns.run("tc", "qdisc", "add", "dev", "d0", "root", "handle", "1:", "htb", "default", "10");
    ns.run("tc", "class", "add", "dev", "d0", "parent", "1:", "classid", "1:10", "htb", "rate", "100mbit");
    ns.run("tc", "qdisc", "add", "dev", "d0", "parent", "1:10", "handle", "10:", "pfifo");
    ns.run("tc", "qdisc", "add", "dev", "p0", "root", "tbf", "rate", "1mbit", "burst", "32kbit", "latency", "400ms");
    ns.run("ip", "link", "set", "p0", "up");
    ns.run("ip", "link", "set", "d0", "up");
    // a static neighbour, so no ARP: exactly five 100-byte UDP datagrams (142 bytes on the wire) leave d0
    ns.run("ip", "neigh", "add", "10.1.0.2", "lladdr", "02:00:00:00:00:02", "dev", "d0");
    ns.run("python3", "-c", "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\nfor _ in range(5): s.sendto(b'x' * 100, ('10.1.0.2', 9))");
  });
  afterAll(() => ns.remove());

  test("counts what was sent through each device's root qdisc", () => {
    const text = ns.collect("qdisc", "qdisc");
    expect(text).toContain('node_qdisc_packets_total{device="d0",kind="htb"} 5\n');
    expect(text).toContain('node_qdisc_bytes_total{device="d0",kind="htb"} 710\n');
    expect(text).toContain('node_qdisc_packets_total{device="p0",kind="tbf"} 0\n');
    expect(text).toContain('node_qdisc_packets_total{device="lo",kind="noqueue"} 0\n');
    expect(text).not.toContain("pfifo"); // the child of htb
  });

  test("serves what node_exporter serves in the same namespace", async () => {
    expect(familiesOf(ns.collect("qdisc", "qdisc"), "node_qdisc_")).toEqual(familiesOf(await scrapeNodeExporter("qdisc", [], ns), "node_qdisc_"));
  });
});
