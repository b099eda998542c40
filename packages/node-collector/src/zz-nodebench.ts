import { createLogger, MetricSet } from "@agent/core";
import { NodeRegistry } from "./registry.ts";
import { allCollectors } from "./collectors/all.ts";
const log = createLogger({ level: "error", write: () => {} });
const r = new NodeRegistry(allCollectors, { "collector.gpu": false }, log);
for (let i = 0; i < 50; i++) await r.render(new MetricSet());
const N = 400;
const times: number[] = [];
const cpu0 = process.cpuUsage();
for (let i = 0; i < N; i++) { const t = performance.now(); await r.render(new MetricSet()); times.push(performance.now() - t); }
const cpu = process.cpuUsage(cpu0);
times.sort((a, b) => a - b);
console.log(JSON.stringify({ medianMs: +times[N >> 1]!.toFixed(3), cpuMsPerScrape: +((cpu.user + cpu.system) / 1000 / N).toFixed(3) }));
process.exit(0);
