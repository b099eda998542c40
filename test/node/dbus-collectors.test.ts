// The compiled agent's systemd and logind collectors next to the real node_exporter, both on one D-Bus bus: a real
// systemd (systemd --user on its own bus, with a few units of the test's) and a logind stand-in on that bus. Both
// programs must serve the same series, values included.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseText } from "../../packages/core/src/index.ts";
import { FIXTURE_SEATS, FIXTURE_SESSIONS, startLogindStandIn, type LogindStandIn } from "../../packages/node-collector/src/testing/logind-bus.ts";
import { canRunSystemdUser, startSystemdUser, type SystemdUser } from "../../packages/node-collector/src/testing/systemd-user.ts";
import { startAgent, type RunningAgent } from "../harness/index.ts";
import { startNodeExporter, type RunningNodeExporter } from "./node-exporter.ts";

const UNITS = {
  "demo.service": "[Service]\nExecStart=/bin/sleep 600\n",
  "demo-fail.service": "[Service]\nType=oneshot\nExecStart=/bin/false\n",
  "demo.socket": "[Socket]\nListenStream=%t/demo.sock\nAccept=yes\n",
  "demo@.service": "[Service]\nExecStart=/bin/cat\nStandardInput=socket\n",
  "demo.timer": "[Timer]\nOnActiveSec=1ms\nAccuracySec=1ms\n",
};

const FLAGS = [
  "--collector.disable-defaults",
  "--collector.systemd",
  "--collector.logind",
  "--collector.systemd.enable-restarts-metrics",
  "--collector.systemd.enable-task-metrics",
  "--collector.systemd.enable-start-time-metrics",
  // upstream's default; Debian's node_exporter also excludes .target units
  "--collector.systemd.unit-exclude=.+\\.(automount|device|mount|scope|slice)",
];

/** The systemd and logind families and the two collectors' success, as text lines in order. */
function dbusSeries(text: string): string[] {
  return parseText(text)
    .filter((f) => /^node_(systemd|logind)_/.test(f.name) || f.name === "node_scrape_collector_success")
    .flatMap((f) => [`${f.name} ${f.type} ${f.help}`, ...f.samples.map((s) => `${s.name}${JSON.stringify(s.labels)} ${s.value}`)]);
}

describe.skipIf(!canRunSystemdUser())("systemd and logind over D-Bus, beside node_exporter", () => {
  let sd: SystemdUser;
  let logind: LogindStandIn;
  let agent: RunningAgent;
  let ne: RunningNodeExporter;

  beforeAll(async () => {
    sd = await startSystemdUser(UNITS);
    await sd.systemctl("start", "demo.service", "demo.socket", "demo.timer");
    await sd.systemctl("start", "demo-fail.service").catch(() => {}); // it fails, as it should
    logind = await startLogindStandIn(sd.busAddress, FIXTURE_SEATS, FIXTURE_SESSIONS);
    const env = { DBUS_SYSTEM_BUS_ADDRESS: sd.busAddress };
    agent = await startAgent({ roles: ["node"], args: FLAGS, env });
    ne = await startNodeExporter(FLAGS, env);
  }, 30000);

  afterAll(async () => {
    await agent?.stop();
    await ne?.stop();
    logind?.stop();
    await sd?.stop();
  });

  test("the same series and values as node_exporter on the same bus", async () => {
    const [mine, theirs] = await Promise.all([agent.urls.node, ne.url].map(async (url) => dbusSeries(await (await fetch(`${url}/metrics`)).text())));
    expect(mine).toContain('node_scrape_collector_success{"collector":"systemd"} 1');
    expect(mine).toContain('node_scrape_collector_success{"collector":"logind"} 1');
    expect(mine).toContain('node_systemd_unit_state{"name":"demo-fail.service","state":"failed","type":"oneshot"} 1');
    expect(mine.filter((l) => l.startsWith("node_logind_sessions{") && !l.endsWith(" 0")).length).toBe(4);
    expect(mine).toEqual(theirs);
  });
});
