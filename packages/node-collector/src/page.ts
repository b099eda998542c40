/**
 * The node role's page at `/`: what the host is (uptime, kernel, CPU model), the host overview with
 * sparklines from the role's history ring, and the collectors that failed in a scrape run for the page (so
 * it shows what Prometheus would get now); `?collectors=all` lists every collector. Sections other parts of
 * the agent add (remote write's queues) follow.
 */
import { hostname } from "node:os";
import type { AgentInfo, PageSection } from "@agent/core";
import { formatBytes, formatPercent, formatSeconds, html, pageResponse, renderPage, scrollBox, sparkline, type Html, type RoleApp } from "@agent/core/pages";
import type { HostSample, NodeHistory } from "./history.ts";
import { readHostInfo, type HostInfo } from "./host-info.ts";
import type { NodeRegistry, ScrapeResult } from "./registry.ts";

export interface NodePageOptions {
  agent: AgentInfo;
  history: NodeHistory;
  registry: NodeRegistry;
  sections?(): PageSection[];
}

const rate = (bytesPerSecond: number) => (Number.isFinite(bytesPerSecond) ? `${formatBytes(bytesPerSecond)}/s` : "–");
const num = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : "–");
const celsius = (v: number) => `${num(v, 0)} °C`;
const watts = (v: number) => `${num(v, 0)} W`;

function bar(fraction: number, label: string): Html {
  const pct = Number.isFinite(fraction) ? Math.max(0, Math.min(1, fraction)) * 100 : 0;
  return html`<div class="bar${pct >= 90 ? " high" : ""}" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${pct.toFixed(0)}" aria-label="${label}"><span style="width:${pct.toFixed(1)}%"></span></div>`;
}

function card(id: string, title: string, value: string, detail: Html | string, spark: Html | Html[]): Html {
  return html`<div class="card" id="card-${id}"><div class="label">${title}</div><div class="value">${value}</div>${spark}<div class="label">${detail}</div></div>`;
}

/** Uptime with days, as `uptime` writes it: "12 days, 3h4m5s". */
function uptimeText(seconds: number): string {
  if (!Number.isFinite(seconds)) return "unknown";
  const days = Math.floor(seconds / 86400);
  const rest = formatSeconds(seconds - days * 86400);
  return days === 0 ? rest : `${days} day${days === 1 ? "" : "s"}, ${rest}`;
}

function inventory(info: HostInfo, s: HostSample | undefined): Html {
  const cpus = s?.cpus ? ` × ${s.cpus}` : "";
  const facts: [string, string][] = [
    ["Uptime", uptimeText(info.uptimeSeconds)],
    ["Kernel", info.kernel || "unknown"],
    ["CPU", (info.cpuModel || "unknown model") + cpus],
    ["Memory", s ? `${formatBytes(s.memory.totalBytes)}, swap ${formatBytes(s.memory.swapTotalBytes)}` : "–"],
  ];
  return html`<dl class="inventory" id="host-facts">${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd data-fact="${k.toLowerCase()}">${v}</dd></div>`)}</dl>`;
}

/** As `free` splits it: programs, cache (shared memory within it), buffers, free. */
function memoryBreakdown(m: HostSample["memory"]): Html {
  const programs = m.totalBytes - m.freeBytes - m.buffersBytes - m.cacheBytes;
  const swapUsed = m.swapTotalBytes - m.swapFreeBytes;
  const part = (v: number) => (Number.isFinite(v) ? formatBytes(v) : "–");
  return html`${formatBytes(m.totalBytes - m.availableBytes)} of ${formatBytes(m.totalBytes)} not available<br><span data-part="memory">programs ${part(programs)} · cache ${part(m.cacheBytes)} (shared ${part(m.sharedBytes)}) · buffers ${part(m.buffersBytes)} · free ${part(m.freeBytes)}</span><br>swap ${part(swapUsed)} of ${formatBytes(m.swapTotalBytes)}`;
}

function overview(s: HostSample, h: NodeHistory): Html {
  const spark = (key: string, label: string, format: (v: number) => string, max?: number) =>
    sparkline(h.ring.series(key), `${label}, last ${formatSeconds(h.windowSeconds)}`, { max, format });
  const busy = Object.values(s.cpuBusy).reduce((a, b) => a + b, 0);
  const hasCpu = Object.keys(s.cpuBusy).length > 0;
  // Modes that round to 0.0 % would only lengthen the line.
  const modes = Object.entries(s.cpuBusy)
    .filter(([, v]) => v >= 0.0005)
    // By the share as shown (0.1 %), then by name: equal shares keep one order from update to update.
    .sort((a, b) => Math.round(b[1] * 1000) - Math.round(a[1] * 1000) || (a[0] < b[0] ? -1 : 1))
    .map(([m, v]) => `${m} ${formatPercent(v)}`)
    .join(" · ");
  const mem = s.memory;
  const used = 1 - mem.availableBytes / mem.totalBytes;
  const sumOf = (list: HostSample["network"], pick: "inBytes" | "outBytes") => list.reduce((a, d) => a + (Number.isFinite(d[pick]) ? d[pick] : 0), 0);
  const hasRates = s.network.some((d) => Number.isFinite(d.inBytes)) || s.disks.some((d) => Number.isFinite(d.inBytes));
  const cpuDetail = hasCpu ? `by mode: ${modes || "all idle"}` : Number.isNaN(s.cpuSeconds) ? "needs two samples" : "no CPU time counted since the last sample";
  return html`<div class="grid">
${card("cpu", `CPU busy (${s.cpus} CPUs)`, hasCpu ? formatPercent(busy) : "–", cpuDetail, spark("cpu", "CPU busy", formatPercent, 1))}
${card("memory", "Memory used", formatPercent(used), memoryBreakdown(mem), spark("memory", "Memory used", formatPercent, 1))}
${card("load", "Load (1m, 5m, 15m)", `${num(s.load[0])} ${num(s.load[1])} ${num(s.load[2])}`, s.cpus ? `${num(s.load[0] / s.cpus)} per CPU` : "", spark("load1", "Load 1m", (v) => num(v)))}
${card("network", "Network in / out", hasRates ? `${rate(sumOf(s.network, "inBytes"))} / ${rate(sumOf(s.network, "outBytes"))}` : "–", `received (top chart), transmitted (bottom), ${s.network.length} devices`, [spark("net.in", "Network received", rate), spark("net.out", "Network transmitted", rate)])}
${card("disk", "Disk read / written", hasRates ? `${rate(sumOf(s.disks, "inBytes"))} / ${rate(sumOf(s.disks, "outBytes"))}` : "–", `read (top chart), written (bottom), ${s.disks.length} devices`, [spark("disk.in", "Disk read", rate), spark("disk.out", "Disk written", rate)])}
</div>`;
}

function filesystems(s: HostSample, h: NodeHistory): Html {
  if (s.filesystems.length === 0) return html`<p class="muted">No filesystems reported.</p>`;
  const rows = s.filesystems.map((f) => {
    const fill = 1 - f.availBytes / f.sizeBytes;
    const label = `${f.mountpoint} filled`;
    const history = sparkline(h.ring.series(`fs:${f.mountpoint}`), `${label}, last ${formatSeconds(h.windowSeconds)}`, { max: 1, format: formatPercent });
    return html`<tr><th scope="row">${f.mountpoint}</th><td data-label="Device">${f.device}</td><td data-label="Type">${f.fstype}</td><td class="num" data-label="Size">${formatBytes(f.sizeBytes)}</td><td class="num" data-label="Available">${formatBytes(f.availBytes)}</td><td data-label="Filled">${formatPercent(fill)}${bar(fill, label)}</td><td data-label="History">${history}</td></tr>`;
  });
  return scrollBox(
    "Filesystems",
    html`<table class="stack"><thead><tr><th scope="col">Mount point</th><th scope="col">Device</th><th scope="col">Type</th><th scope="col" class="num">Size</th><th scope="col" class="num">Available</th><th scope="col">Filled</th><th scope="col">History</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function devices(title: string, list: HostSample["network"], inTitle: string, outTitle: string): Html {
  if (list.length === 0) return html`<p class="muted">None reported.</p>`;
  const rows = list.map((d) => html`<tr><th scope="row">${d.device}</th><td class="num">${rate(d.inBytes)}</td><td class="num">${rate(d.outBytes)}</td></tr>`);
  return scrollBox(title, html`<table><thead><tr><th scope="col">Device</th><th scope="col" class="num">${inTitle}</th><th scope="col" class="num">${outTitle}</th></tr></thead><tbody>${rows}</tbody></table>`);
}

function gpus(s: HostSample, h: NodeHistory): Html {
  const window = `last ${formatSeconds(h.windowSeconds)}`;
  const cards = s.gpus.map((g) => {
    const mem = g.memoryUsedBytes / g.memoryTotalBytes;
    const spark = (key: string, what: string, format: (v: number) => string, max?: number) =>
      html`<div class="label">${what}</div>${sparkline(h.ring.series(`${key}:${g.uuid}`), `${g.name} ${what}, ${window}`, { max, format })}`;
    return html`<div class="card" id="gpu-${g.uuid}"><div class="label">${g.name} <span class="muted">${g.uuid}</span></div>
<div class="value">${formatPercent(g.utilization)} busy</div>
<div class="label">memory ${formatBytes(g.memoryUsedBytes)} of ${formatBytes(g.memoryTotalBytes)} (${formatPercent(mem)}) · ${num(g.temperatureCelsius, 0)} °C · ${num(g.powerWatts, 1)} W</div>
${spark("gpu.util", "utilization", formatPercent, 1)}${spark("gpu.mem", "memory used", formatPercent, 1)}${spark("gpu.temp", "temperature", celsius)}${spark("gpu.power", "power", watts)}</div>`;
  });
  return html`<div class="grid">${cards}</div>`;
}

/** Why a host shows no GPU, from node_gpu_collector_state. */
const NO_GPU_REASONS: Record<string, string> = {
  no_library: "No NVIDIA library (libnvidia-ml.so.1) or nvidia-smi here, or a driver that does not match it.",
  no_device: "The NVIDIA driver is not loaded or lists no GPU.",
  no_permission: "The agent may not open /dev/nvidia* (systemd's PrivateDevices=, or a container without the NVIDIA runtime).",
  ok: "GPUs are reported, but not under the nvidia_smi names this page reads (--collector.gpu.metric-names).",
};

/** The failed collectors first (all of them, or only them unless `all`), then by name. */
function collectorTable(results: ScrapeResult[], all: boolean): Html {
  const failed = results.filter((r) => !r.success);
  const shown = (all ? [...results] : failed).sort((a, b) => Number(a.success) - Number(b.success) || (a.name < b.name ? -1 : 1));
  const rows = shown.map(
    (r) => html`<tr><th scope="row">${r.name}</th><td class="num">${(r.seconds * 1000).toFixed(1)} ms</td><td class="${r.success ? "ok" : "bad"}">${r.success ? "success" : "failed"}</td></tr>`,
  );
  const toggle = all
    ? html`<a href="?" data-swap>Show only the failed ones</a>`
    : html`<a href="?collectors=all" data-swap>Show all ${results.length} collectors</a>`;
  const table =
    shown.length > 0
      ? scrollBox("Collectors", html`<table><thead><tr><th scope="col">Collector</th><th scope="col" class="num">Duration</th><th scope="col">Outcome</th></tr></thead><tbody>${rows}</tbody></table>`)
      : "";
  return html`<p>${results.length} collectors enabled; <span class="${failed.length ? "bad" : "ok"}">${failed.length} failed</span> in a scrape run for this page. ${toggle}</p>
${table}`;
}

async function body(o: NodePageOptions, allCollectors: boolean): Promise<Html> {
  const { history } = o;
  const [{ results }] = await Promise.all([o.registry.scrape(), history.latest ? undefined : history.tick()]);
  const s = history.latest;
  const sampled = s
    ? `Sampled every ${formatSeconds(history.intervalSeconds)}; sparklines cover the last ${formatSeconds(history.windowSeconds)} (${history.ring.size} series kept).`
    : "No sample yet.";
  return html`<section id="overview" data-region aria-labelledby="h-overview">
<h2 id="h-overview">Host ${hostname()}</h2>
${inventory(readHostInfo(o.registry.paths), s)}
<p class="muted">${sampled}</p>
${s ? overview(s, history) : ""}
${s ? html`<h2>Filesystems</h2>${filesystems(s, history)}` : ""}
${s && s.gpus.length ? html`<h2>GPUs</h2>${gpus(s, history)}` : ""}
${s && !s.gpus.length && s.gpuState ? html`<h2>GPUs</h2><p class="muted" id="gpu-state">None shown: ${NO_GPU_REASONS[s.gpuState] ?? s.gpuState}</p>` : ""}
${s ? html`<h2>Network devices</h2>${devices("Network devices", s.network, "Received", "Transmitted")}<h2>Disks</h2>${devices("Disks", s.disks, "Read", "Written")}` : ""}
</section>
<section id="collectors" data-region aria-labelledby="h-collectors">
<h2 id="h-collectors">Collectors</h2>
${collectorTable(results, allCollectors)}
</section>
${(o.sections?.() ?? []).map((x) => html`<section id="${x.id}" data-region aria-labelledby="h-${x.id}"><h2 id="h-${x.id}">${x.title}</h2>${x.body}</section>`)}`;
}

export function nodePage(app: RoleApp, o: NodePageOptions): void {
  app.get("/", async (c) =>
    pageResponse(
      renderPage({
        role: "node",
        heading: "Host overview",
        agent: o.agent,
        requestHost: c.req.header("host") ?? "localhost",
        body: await body(o, c.req.query("collectors") === "all"),
        refreshSeconds: Math.max(5, o.history.intervalSeconds),
      }),
    ),
  );
}
