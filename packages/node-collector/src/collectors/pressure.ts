import { defineCollector, NoDataError } from "../collector.ts";
import { errnoOf, lines, procPath, readText } from "../read.ts";

/**
 * resource -> [some: name, help], [full: name, help]. node_exporter reads cpu's "some" line only (the kernel
 * writes a "full" line for cpu too, all zeros before 5.13). /proc/pressure/irq (Linux 6.1) is left unread, as
 * 1.8.2 leaves it (node_exporter 1.9 added it).
 */
const RESOURCES: Record<string, [[string, string] | null, [string, string] | null]> = {
  cpu: [
    ["node_pressure_cpu_waiting_seconds_total", "Total time in seconds that processes have waited for CPU time"],
    null,
  ],
  io: [
    ["node_pressure_io_waiting_seconds_total", "Total time in seconds that processes have waited due to IO congestion"],
    ["node_pressure_io_stalled_seconds_total", "Total time in seconds no process could make progress due to IO congestion"],
  ],
  memory: [
    ["node_pressure_memory_waiting_seconds_total", "Total time in seconds that processes have waited for memory"],
    ["node_pressure_memory_stalled_seconds_total", "Total time in seconds no process could make progress due to memory congestion"],
  ],
};

export const pressure = defineCollector({
  name: "pressure",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      for (const [res, [some, full]] of Object.entries(RESOURCES)) {
        const path = procPath(paths, "pressure/" + res);
        // No PSI (kernel before 4.20, or psi=0: ENOTSUP on read) is no data to node_exporter, and so is a file
        // without the lines it reads.
        let text: string | null;
        try {
          text = readText(path);
        } catch (e) {
          if (errnoOf(e) === "ENOTSUP" || errnoOf(e) === "EOPNOTSUPP") throw new NoDataError(path);
          throw e;
        }
        if (text === null) throw new NoDataError(path);
        const totals = new Map<string, number>();
        for (const line of lines(text)) {
          const t = line.indexOf("total=");
          if (t > 0) totals.set(line.slice(0, line.indexOf(" ")), Number(line.slice(t + 6)) / 1e6);
        }
        const someTotal = totals.get("some");
        const fullTotal = totals.get("full");
        if (someTotal === undefined || (res !== "cpu" && fullTotal === undefined)) throw new NoDataError(`${path} "some" or "full" line`);
        if (some) out.counter(some[0], some[1], someTotal);
        if (full) out.counter(full[0], full[1], fullTotal!);
      }
    },
  }),
});
