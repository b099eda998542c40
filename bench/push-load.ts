// Push load shared by the push benchmarks: filling a store with groups before anything is timed, and a timed
// load of `clients` loops, each calling `pushOne(k)` with its own sequence of k (w, w + clients, ...), for
// `seconds`; every push timed.

export interface LoadResult {
  pushesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Pushes answered in the window. */
  pushes: number;
}

/**
 * PUTs `body` as the group at `path` (e.g. `/metrics/job/bench/instance/i7`) of the gateway at `url`; throws
 * unless 2xx (Pushgateway answers 202 with its consistency check off).
 */
export async function putGroup(url: string, path: string, body: string): Promise<void> {
  const r = await fetch(url + path, { method: "PUT", body });
  await r.arrayBuffer();
  if (r.status < 200 || r.status > 299) throw new Error(`push to ${url}${path} answered ${r.status}`);
}

/** Calls `pushOne(i)` for every i in [0, count), `parallel` at a time. */
export async function fillGroups(count: number, parallel: number, pushOne: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) await pushOne(next++);
    }),
  );
}

export async function timedLoad(clients: number, seconds: number, pushOne: (k: number) => Promise<void>): Promise<LoadResult> {
  const times: number[] = [];
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, w) => {
      for (let k = w; performance.now() < until; k += clients) {
        const t = performance.now();
        await pushOne(k);
        times.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!;
  return { pushesPerSec: times.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99), pushes: times.length };
}

/** Group `i` of the push benches: ten counter series whose values move with `seq`, so every push changes it. */
export function pushBenchGroup(url: string, i: number, seq: number): Promise<void> {
  let body = "# TYPE bench_requests_total counter\n";
  for (let c = 0; c < 10; c++) body += `bench_requests_total{code="${200 + c}"} ${seq + c}\n`;
  return putGroup(url, benchGroupPath(i), body);
}

/**
 * The body of bench/push's groups: two families with HELP, five counter series and five gauge series, values
 * moving with `seq`.
 */
export function twoFamilyBody(seq: number): string {
  let s = "# HELP bench_requests_total Requests.\n# TYPE bench_requests_total counter\n";
  for (const code of [200, 201, 400, 404, 500]) s += `bench_requests_total{code="${code}"} ${seq + code}\n`;
  s += "# HELP bench_queue_depth Queue depth.\n# TYPE bench_queue_depth gauge\n";
  for (let q = 0; q < 5; q++) s += `bench_queue_depth{queue="q${q}"} ${seq % 97}\n`;
  return s;
}

/** The path of bench/push's group `i`. */
export const benchGroupPath = (i: number): string => `/metrics/job/bench/instance/i${i}`;
