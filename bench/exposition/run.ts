// Text parser and protobuf codec throughput on 1 MiB of exposition text shaped like a Pushgateway store
// (many groups, a few labels each, some histograms), side by side with Go's expfmt parser as Debian's
// promtool runs it (`promtool check metrics`: expfmt parse plus lint; its start-up time, measured on an
// empty input, is subtracted).
import { decodeDelimited, parseText } from "../../packages/core/src/exposition/index.ts";
import { encodeDelimited } from "../../packages/core/src/testing/encode-delimited.ts";

function corpus(bytes: number): string {
  let text = "";
  for (let i = 0; text.length < bytes; i++) {
    if (i % 100 === 0) {
      const h = `req_duration_seconds_${i}`;
      text += `# HELP ${h} Request latency.\n# TYPE ${h} histogram\n`;
      for (const le of ["0.005", "0.01", "0.1", "1", "10", "+Inf"]) text += `${h}_bucket{job="batch-${i}",le="${le}"} ${i}\n`;
      text += `${h}_sum{job="batch-${i}"} ${i * 0.37}\n${h}_count{job="batch-${i}"} ${i}\n`;
    }
    const g = `job_last_success_unixtime_${i - (i % 50)}`;
    if (i % 50 === 0) text += `# HELP ${g} Last success.\n# TYPE ${g} gauge\n`;
    text += `${g}{job="batch-${i % 977}",instance="host-${i % 31}.example.com:9100",path="/var/lib/x/${i}"} ${1.7e9 + i * 1.37}\n`;
  }
  return text;
}

/** Median wall and CPU milliseconds of `f`; CPU time is what stays comparable on a busy, shared machine. */
function measure(runs: number, f: () => number | void): { wall: number; cpu: number } {
  for (let i = 0; i < 3; i++) f();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const childCpu = f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push(typeof childCpu === "number" ? childCpu : (c.user + c.system) / 1000);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { wall: median(wall), cpu: median(cpu) };
}

/** promtool's own CPU time (from its rusage), not ours. */
function promtool(input: string, runs: number): { wall: number; cpu: number } {
  const stdin = Buffer.from(input);
  return measure(runs, () => {
    const r = Bun.spawnSync(["promtool", "check", "metrics"], { stdin, stdout: "ignore", stderr: "ignore" });
    return Number(r.resourceUsage.cpuTime.total) / 1000;
  });
}

const line = (what: string, m: { wall: number; cpu: number }): string =>
  `${what.padEnd(58)} ${(m.cpu / mib).toFixed(1).padStart(6)} ms CPU/MiB ${(m.wall / mib).toFixed(1).padStart(6)} ms wall/MiB`;

const text = corpus(1 << 20);
const mib = text.length / 2 ** 20;
const families = parseText(text);
const proto = encodeDelimited(families);
const samples = families.reduce((n, f) => n + f.samples.length, 0);

const parse = measure(15, () => void parseText(text));
console.log(`input: ${text.length} bytes of text, ${proto.length} bytes of protobuf, ${families.length} families, ${samples} samples`);
console.log(line("agent parseText", parse));
console.log(line("agent decodeDelimited (same families)", measure(15, () => void decodeDelimited(proto))));
console.log(line("agent encodeDelimited (same families)", measure(15, () => void encodeDelimited(families))));

if (Bun.which("promtool")) {
  const full = promtool(text, 5);
  const empty = promtool("", 5);
  const go = { wall: full.wall - empty.wall, cpu: full.cpu - empty.cpu };
  console.log(line("promtool check metrics (expfmt + lint, start-up subtracted)", go));
  console.log(`ratio agent parse / promtool: CPU ${(parse.cpu / go.cpu).toFixed(2)}, wall ${(parse.wall / go.wall).toFixed(2)}`);
} else {
  console.log("promtool not installed: no Go comparison");
}
