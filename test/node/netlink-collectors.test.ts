// The compiled agent's node role with the netlink, ioctl and perf_event collectors: the fixture-driven ones
// serve their golden output, the live ones succeed on this host's kernel (or fail with success 0 where the
// host lacks the source), and a failing one costs the others nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseText, type MetricFamily } from "../../packages/core/src/index.ts";
import { startAgent, type RunningAgent } from "../harness/index.ts";
import { genlFamilyId } from "../../packages/node-collector/src/genetlink.ts";
import { FIXTURES } from "../../packages/node-collector/src/testing/golden.ts";
import { startNodeExporter } from "./node-exporter.ts";
import { startDbusDaemon, type TestBus } from "../../packages/os/src/testing/dbus-daemon.ts";
import { FIXTURE_SEATS, FIXTURE_SESSIONS, startLogindStandIn, type LogindStandIn } from "../../packages/node-collector/src/testing/logind-bus.ts";

const ARGS = [
  "--collector.disable-defaults",
  "--collector.qdisc", `--collector.qdisc.fixtures=${FIXTURES}/qdisc`,
  "--collector.wifi", `--collector.wifi.fixtures=${FIXTURES}/wifi`,
  "--collector.logind",
  "--collector.network_route",
  "--collector.ethtool",
  "--collector.netdev", "--collector.netdev.address-info",
  "--collector.netclass", "--collector.netclass.netlink", "--collector.netclass_rtnl.with-stats",
  "--collector.perf", "--collector.perf.cpus=0", "--collector.perf.disable-hardware-profilers", "--collector.perf.disable-cache-profilers",
];

function byName(text: string): Map<string, MetricFamily> {
  return new Map(parseText(text).map((f) => [f.name, f]));
}

describe("netlink, ioctl and perf collectors in the compiled agent", () => {
  let agent: RunningAgent;
  let served: Map<string, MetricFamily>;
  // logind cannot run here: a stand-in serves its D-Bus interface on a private bus
  let bus: TestBus;
  let logind: LogindStandIn;

  beforeAll(async () => {
    bus = await startDbusDaemon();
    logind = await startLogindStandIn(bus.address, FIXTURE_SEATS, FIXTURE_SESSIONS);
    agent = await startAgent({ roles: ["node"], args: ARGS, env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
    served = byName(await (await fetch(`${agent.urls.node}/metrics`)).text());
  }, 30000);

  afterAll(async () => {
    await agent?.stop();
    logind?.stop();
    await bus?.stop();
  });

  test("every collector succeeds", () => {
    const ok = Object.fromEntries(served.get("node_scrape_collector_success")!.samples.map((s) => [s.labels.collector, s.value]));
    expect(ok).toEqual({ qdisc: 1, wifi: 1, logind: 1, network_route: 1, ethtool: 1, netdev: 1, netclass: 1, perf: 1 });
  });

  for (const c of ["qdisc", "wifi", "logind"]) {
    test(`${c} serves its golden families`, () => {
      for (const [name, want] of byName(readFileSync(join(FIXTURES, "golden", `${c}.prom`), "utf8"))) {
        const got = served.get(name);
        expect({ name, type: got?.type, help: got?.help, samples: got?.samples }).toEqual({ name, type: want.type, help: want.help, samples: want.samples });
      }
    });
  }

  test("the live collectors serve this host's routes, addresses, links, drivers and counters", () => {
    for (const name of ["node_network_route_info", "node_network_routes", "node_network_address_info", "node_ethtool_info", "node_network_receive_packets_total", "node_perf_context_switches_total"]) {
      expect(served.get(name)?.samples.length ?? 0).toBeGreaterThan(0);
    }
    // the loopback address, whatever else this host has
    expect(served.get("node_network_address_info")!.samples.map((s) => s.labels)).toContainEqual({ address: "127.0.0.1", device: "lo", netmask: "8", scope: "link-local" });
  });
});

describe.skipIf(genlFamilyId("nl80211") !== null)("a host without the source", () => {
  const success = (text: string) => Object.fromEntries(byName(text).get("node_scrape_collector_success")!.samples.map((s) => [s.labels.collector, s.value]));

  test("wifi without nl80211 and logind without a bus report success 0; the scrape answers and the rest succeed", async () => {
    const agent = await startAgent({
      roles: ["node"],
      args: ["--collector.disable-defaults", "--collector.wifi", "--collector.logind", "--collector.network_route"],
      env: { DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/nonexistent/bus" },
    });
    try {
      const res = await fetch(`${agent.urls.node}/metrics`);
      expect(res.status).toBe(200);
      expect(success(await res.text())).toEqual({ wifi: 0, logind: 0, network_route: 1 });
      // ErrNoData is not a failure: nothing about wifi at the default level
      expect(agent.output()).not.toContain("collector=wifi");
    } finally {
      await agent.stop();
    }
  }, 30000);

  test("wifi on live nl80211 answers what node_exporter answers on this host: success 0, no wifi families, a debug line", async () => {
    const args = ["--collector.disable-defaults", "--collector.wifi"];
    const ne = await startNodeExporter(args);
    const agent = await startAgent({ roles: ["node"], args: [...args, "--log.level=debug"] });
    try {
      const theirs = await (await fetch(`${ne.url}/metrics`)).text();
      const mine = await (await fetch(`${agent.urls.node}/metrics`)).text();
      expect(success(mine)).toEqual(success(theirs));
      expect(success(mine)).toEqual({ wifi: 0 });
      const wifiFamilies = (text: string) => [...byName(text).keys()].filter((n) => n.startsWith("node_wifi_"));
      expect(wifiFamilies(mine)).toEqual(wifiFamilies(theirs));
      expect(agent.output()).toMatch(/level=debug .*msg="collector returned no data" collector=wifi err=".*nl80211 generic netlink family not found"/);
    } finally {
      await agent.stop();
      await ne.stop();
    }
  }, 30000);
});
