import { test } from "bun:test";
import { parseText } from "@agent/core";
import { collectText, FIXTURES, fixturePaths } from "./testing/golden.ts";
import { allCollectors } from "./collectors/all.ts";

const NAMES = (process.env.NAMES ?? "").split(",");
test("diff", async () => {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port; probe.stop(true);
  const ne = Bun.spawn(["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", ...NAMES.map((n) => `--collector.${n}`),
    `--path.procfs=${fixturePaths.procfs}`, `--path.sysfs=${fixturePaths.sysfs}`, `--path.rootfs=${FIXTURES}`, `--path.udev.data=${fixturePaths.udevData}`, ...(process.env.EXTRA ?? "").split(" ").filter(Boolean)], { stdout: "ignore", stderr: "pipe" });
  let text = "";
  for (let i = 0; i < 100 && !text; i++) { try { text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text(); } catch { await Bun.sleep(50); } }
  ne.kill();
  let ours = "";
  for (const n of NAMES) {
    const c = allCollectors.find((c) => c.name === n)!;
    try { ours += await collectText(c, { config: Object.fromEntries(Object.entries(JSON.parse(process.env.CFG ?? "{}")).map(([k, v]) => [k, typeof v === "string" && v.startsWith("re:") ? new RegExp(v.slice(3)) : v])) }); } catch (e) { console.log("OURS FAILED", n, (e as Error).message); }
  }
  const key = (t: string) => {
    const m = new Map<string, string>();
    for (const f of parseText(t)) {
      if (!f.name.startsWith("node_") || f.name.startsWith("node_scrape") || f.name.startsWith("node_exporter")) continue;
      m.set(f.name, `${f.type} | ${f.help}\n` + f.samples.map((s) => "  " + JSON.stringify(Object.entries(s.labels).sort()) + " " + s.value).sort().join("\n"));
    }
    return m;
  };
  const a = key(text), b = key(ours);
  for (const n of new Set([...a.keys(), ...b.keys()])) {
    if (a.get(n) === b.get(n)) continue;
    console.log("=== " + n + "\n--- ne: " + (a.get(n) ?? "(absent)") + "\n+++ ours: " + (b.get(n) ?? "(absent)"));
  }
  console.log(text.split("\n").filter((l) => l.startsWith("node_scrape_collector_success")).join("\n"));
}, 20000);
