/**
 * The node role's page at `/`: the host overview with sparklines from the role's history ring, and the
 * collector status of a scrape run for the page (so it shows what Prometheus would get now).
 */
import { hostname } from "node:os";
import type { AgentInfo } from "@agent/core";
import { escapeHtml as esc, formatBytes, formatPercent, formatSeconds, pageResponse, renderPage, scrollBox, sparkline, type RoleApp } from "@agent/core/pages";
import type { HostSample, NodeHistory } from "./history.ts";
import type { NodeRegistry, ScrapeResult } from "./registry.ts";

export interface NodePageOptions {
  agent: AgentInfo;
  history: NodeHistory;
  registry: NodeRegistry;
}

const rate = (bytesPerSecond: number) => (Number.isFinite(bytesPerSecond) ? `${formatBytes(bytesPerSecond)}/s` : "–");
const num = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "–");

function bar(fraction: number, label: string): string {
  const pct = Number.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) * 100 : 0;
  return `<div class="bar${pct >= 90 ? " high" : ""}" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct.toFixed(0)}" aria-label="${esc(label)}"><span style="width:${pct.toFixed(1)}%"></span></div>`;
}

function card(id: string, title: string, value: string, detail: string, spark: string): string {
  return `<div class="card" id="card-${id}"><div class="label">${esc(title)}</div><div class="value">${value}</div>${spark}<div class="label">${detail}</div></div>`;
}

function overview(s: HostSample, h: NodeHistory): string {
  const spark = (key: string, label: string, max?: number) => sparkline(h.ring.series(key), `${label}, last ${formatSeconds(h.windowSeconds)}`, max);
  const busy = Object.values(s.cpuBusy).reduce((a, b) => a + b, 0);
  const hasCpu = Object.keys(s.cpuBusy).length > 0;
  // Modes that round to 0.0 % would only lengthen the line.
  const modes = Object.entries(s.cpuBusy)
    .filter(([, v]) => v >= 0.0005)
    // By the share as shown (0.1 %), then by name: equal shares keep one order from update to update.
    .sort((a, b) => Math.round(b[1] * 1000) - Math.round(a[1] * 1000) || (a[0] < b[0] ? -1 : 1))
    .map(([m, v]) => `${esc(m)} ${formatPercent(v)}`)
    .join(" · ");
  const mem = s.memory;
  const used = 1 - mem.availableBytes / mem.totalBytes;
  const swapUsed = mem.swapTotalBytes - mem.swapFreeBytes;
  const sumOf = (list: HostSample["network"], pick: "inBytes" | "outBytes") => list.reduce((a, d) => a + (Number.isFinite(d[pick]) ? d[pick] : 0), 0);
  const hasRates = s.network.some((d) => Number.isFinite(d.inBytes)) || s.disks.some((d) => Number.isFinite(d.inBytes));
  return `<div class="grid">
${card("cpu", `CPU busy (${s.cpus} CPUs)`, hasCpu ? formatPercent(busy) : "–", hasCpu ? `by mode: ${modes || "all idle"}` : Number.isNaN(s.cpuSeconds) ? "needs two samples" : "no CPU time counted since the last sample", spark("cpu", "CPU busy", 1))}
${card("memory", "Memory used", formatPercent(used), `${formatBytes(mem.totalBytes - mem.availableBytes)} of ${formatBytes(mem.totalBytes)}; swap ${Number.isFinite(swapUsed) ? formatBytes(swapUsed) : "–"} of ${formatBytes(mem.swapTotalBytes)}`, spark("memory", "Memory used", 1))}
${card("load", "Load (1m, 5m, 15m)", `${num(s.load[0])} ${num(s.load[1])} ${num(s.load[2])}`, s.cpus ? `${num(s.load[0] / s.cpus)} per CPU` : "", spark("load1", "Load 1m"))}
${card("network", "Network in / out", hasRates ? `${rate(sumOf(s.network, "inBytes"))} / ${rate(sumOf(s.network, "outBytes"))}` : "–", `received (top line), transmitted (bottom), ${s.network.length} devices`, spark("net.in", "Network received") + spark("net.out", "Network transmitted"))}
${card("disk", "Disk read / written", hasRates ? `${rate(sumOf(s.disks, "inBytes"))} / ${rate(sumOf(s.disks, "outBytes"))}` : "–", `read (top line), written (bottom), ${s.disks.length} devices`, spark("disk.in", "Disk read") + spark("disk.out", "Disk written"))}
</div>`;
}

function filesystems(s: HostSample, h: NodeHistory): string {
  if (s.filesystems.length === 0) return `<p class="muted">No filesystems reported.</p>`;
  const rows = s.filesystems.map((f) => {
    const fill = 1 - f.availBytes / f.sizeBytes;
    const label = `${f.mountpoint} filled`;
    return `<tr><th scope="row">${esc(f.mountpoint)}</th><td data-label="Device">${esc(f.device)}</td><td data-label="Type">${esc(f.fstype)}</td><td class="num" data-label="Size">${formatBytes(f.sizeBytes)}</td><td class="num" data-label="Available">${formatBytes(f.availBytes)}</td><td data-label="Filled">${formatPercent(fill)}${bar(fill, label)}</td><td data-label="History">${sparkline(h.ring.series(`fs:${f.mountpoint}`), `${label}, last ${formatSeconds(h.windowSeconds)}`, 1)}</td></tr>`;
  });
  return scrollBox("Filesystems", `<table class="stack"><thead><tr><th scope="col">Mount point</th><th scope="col">Device</th><th scope="col">Type</th><th scope="col" class="num">Size</th><th scope="col" class="num">Available</th><th scope="col">Filled</th><th scope="col">History</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);
}

function devices(title: string, list: HostSample["network"], inTitle: string, outTitle: string): string {
  if (list.length === 0) return `<p class="muted">None reported.</p>`;
  const rows = list.map((d) => `<tr><th scope="row">${esc(d.device)}</th><td class="num">${rate(d.inBytes)}</td><td class="num">${rate(d.outBytes)}</td></tr>`);
  return scrollBox(title, `<table><thead><tr><th scope="col">Device</th><th scope="col" class="num">${inTitle}</th><th scope="col" class="num">${outTitle}</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);
}

function gpus(s: HostSample, h: NodeHistory): string {
  const window = `last ${formatSeconds(h.windowSeconds)}`;
  const cards = s.gpus.map((g) => {
    const mem = g.memoryUsedBytes / g.memoryTotalBytes;
    const spark = (key: string, what: string, max?: number) => `<div class="label">${what}</div>${sparkline(h.ring.series(`${key}:${g.uuid}`), `${g.name} ${what}, ${window}`, max)}`;
    return `<div class="card" id="gpu-${esc(g.uuid)}"><div class="label">${esc(g.name)} <span class="muted">${esc(g.uuid)}</span></div>
<div class="value">${formatPercent(g.utilization)} busy</div>
<div class="label">memory ${formatBytes(g.memoryUsedBytes)} of ${formatBytes(g.memoryTotalBytes)} (${formatPercent(mem)}) · ${num(g.temperatureCelsius, 0)} °C · ${num(g.powerWatts, 1)} W</div>
${spark("gpu.util", "utilization", 1)}${spark("gpu.mem", "memory used", 1)}${spark("gpu.temp", "temperature")}${spark("gpu.power", "power")}</div>`;
  });
  return `<div class="grid">${cards.join("")}</div>`;
}

/** Why a host shows no GPU, from node_gpu_collector_state. */
const NO_GPU_REASONS: Record<string, string> = {
  no_library: "No NVIDIA library (libnvidia-ml.so.1) or nvidia-smi here, or a driver that does not match it.",
  no_device: "The NVIDIA driver is not loaded or lists no GPU.",
  no_permission: "The agent may not open /dev/nvidia* (systemd's PrivateDevices=, or a container without the NVIDIA runtime).",
  ok: "GPUs are reported, but not under the nvidia_smi names this page reads (--collector.gpu.metric-names).",
};

function collectorTable(results: ScrapeResult[]): string {
  const rows = [...results]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((r) => `<tr><th scope="row">${esc(r.name)}</th><td class="num">${(r.seconds * 1000).toFixed(1)} ms</td><td class="${r.success ? "ok" : "bad"}">${r.success ? "success" : "failed"}</td></tr>`);
  const failed = results.filter((r) => !r.success).length;
  return `<p>${results.length} collectors enabled; <span class="${failed ? "bad" : "ok"}">${failed} failed</span> in a scrape run for this page.</p>
${scrollBox("Collectors", `<table><thead><tr><th scope="col">Collector</th><th scope="col" class="num">Duration</th><th scope="col">Outcome</th></tr></thead><tbody>${rows.join("")}</tbody></table>`)}`;
}

async function body(o: NodePageOptions): Promise<string> {
  const { history } = o;
  const [{ results }] = await Promise.all([o.registry.scrape(), history.latest ? undefined : history.tick()]);
  const s = history.latest;
  const sampled = s
    ? `Sampled every ${formatSeconds(history.intervalSeconds)}; sparklines cover the last ${formatSeconds(history.windowSeconds)} (${history.ring.size} series kept).`
    : "No sample yet.";
  return `<section id="overview" data-region aria-labelledby="h-overview">
<h2 id="h-overview">Host ${esc(hostname())}</h2>
<p class="muted">${sampled}</p>
${s ? overview(s, history) : ""}
${s ? `<h2>Filesystems</h2>${filesystems(s, history)}` : ""}
${s && s.gpus.length ? `<h2>GPUs</h2>${gpus(s, history)}` : ""}
${s && !s.gpus.length && s.gpuState ? `<h2>GPUs</h2><p class="muted" id="gpu-state">None shown: ${esc(NO_GPU_REASONS[s.gpuState] ?? s.gpuState)}</p>` : ""}
${s ? `<h2>Network devices</h2>${devices("Network devices", s.network, "Received", "Transmitted")}<h2>Disks</h2>${devices("Disks", s.disks, "Read", "Written")}` : ""}
</section>
<section id="collectors" data-region aria-labelledby="h-collectors">
<h2 id="h-collectors">Collectors</h2>
${collectorTable(results)}
</section>`;
}

export function nodePage(app: RoleApp, o: NodePageOptions): void {
  app.get("/", async (c) =>
    pageResponse(
      renderPage({
        role: "node",
        heading: "Host overview",
        agent: o.agent,
        requestHost: c.req.header("host") ?? "localhost",
        body: await body(o),
        refreshSeconds: Math.max(5, o.history.intervalSeconds),
      }),
    ),
  );
}
