// Hostile uploads, side by side: 40 chunked 60 MiB PUTs at once (no Content-Length, so the size is only known
// by reading) against Pushgateway and the agent's push role, each at its default settings. Prints what each
// answered and how far its resident memory rose above idle (VmHWM after the storm minus VmRSS before it).
// `bun bench/push/uploads.ts [count] [MiB]`.
import { concurrentChunkedPuts, startAgent, startPushgateway, statusKiB } from "../../test/harness/index.ts";

const COUNT = Number(process.argv[2] ?? 40);
const MIB = Number(process.argv[3] ?? 60);

async function storm(url: string, pid: number): Promise<{ statuses: string; grewMiB: number; ms: number }> {
  await fetch(`${url}/metrics/job/idle`, { method: "PUT", body: "idle 1\n" });
  await Bun.sleep(1000);
  const idle = statusKiB(pid, "VmRSS");
  const started = performance.now();
  const answers = await concurrentChunkedPuts(`${url}/metrics/job/storm`, COUNT, MIB << 20);
  const ms = performance.now() - started;
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(String(a), (counts.get(String(a)) ?? 0) + 1);
  const statuses = [...counts].map(([s, n]) => `${n}x ${s}`).join(", ");
  return { statuses, grewMiB: (statusKiB(pid, "VmHWM") - idle) / 1024, ms };
}

const pg = await startPushgateway();
const pgResult = await storm(pg.url, pg.pid).finally(() => pg.stop());
const agent = await startAgent({ roles: ["push"] });
const agentResult = await storm(agent.urls.push!, agent.proc.pid).finally(() => agent.stop());

console.log(`${COUNT} chunked uploads of ${MIB} MiB at once`);
for (const [name, r] of [["Pushgateway", pgResult], ["agent", agentResult]] as const) {
  console.log(`${name.padEnd(12)} memory +${r.grewMiB.toFixed(0).padStart(5)} MiB  in ${(r.ms / 1000).toFixed(1)} s  answers: ${r.statuses}`);
}
console.log(`memory rise, agent / Pushgateway: ${(agentResult.grewMiB / pgResult.grewMiB).toFixed(3)}`);
