// Timed push load shared by the push benchmarks: `clients` loops, each calling `pushOne(k)` with its own
// sequence of k (w, w + clients, ...), for `seconds`; every push timed.

export interface LoadResult {
  pushesPerSec: number;
  p50Ms: number;
  p99Ms: number;
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
  return { pushesPerSec: times.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}
