/**
 * Scrapes Debian's prometheus-node-exporter (1.5) once, run with only the named collector, on the host or
 * inside a test's network namespace, for differential tests of collectors that read live kernel state.
 */
import { parseText } from "@agent/core";
import type { NetNs } from "./netns.ts";

export async function scrapeNodeExporter(collector: string, args: string[] = [], netns?: NetNs): Promise<string> {
  if (!Bun.which("prometheus-node-exporter")) throw new Error("prometheus-node-exporter is not installed");
  let port = 9100; // a namespace of its own has every port free
  if (!netns) {
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    port = probe.port ?? port;
    probe.stop(true);
  }
  const prefix = netns ? ["ip", "netns", "exec", netns.name] : [];
  const argv = ["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", `--collector.${collector}`, ...args];
  const ne = Bun.spawn([...prefix, ...argv], { stdout: "ignore", stderr: "ignore" });
  try {
    for (let i = 0; i < 50; i++) {
      await Bun.sleep(100);
      const body = Bun.spawnSync([...prefix, "curl", "-sf", `http://127.0.0.1:${port}/metrics`]).stdout.toString();
      if (body.includes("node_scrape_collector_success")) return body;
    }
    throw new Error("node_exporter did not answer");
  } finally {
    ne.kill();
    await ne.exited;
  }
}

/** The families whose names start with `prefix`, samples as sorted strings: order-free comparison. */
export function familiesOf(text: string, prefix: string) {
  return parseText(text)
    .filter((f) => f.name.startsWith(prefix))
    .map((f) => ({ name: f.name, type: f.type, help: f.help, samples: f.samples.map((s) => JSON.stringify(Object.entries(s.labels).sort()) + " " + s.value).sort() }));
}
