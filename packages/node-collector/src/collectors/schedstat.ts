import { defineCollector, NoDataError } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";

export const schedstat = defineCollector({
  name: "schedstat",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "schedstat");
      const text = readText(path);
      if (text === null) throw new NoDataError(path);
      const running = out.family("node_schedstat_running_seconds_total", "counter", "Number of seconds CPU spent running a process.");
      const waiting = out.family("node_schedstat_waiting_seconds_total", "counter", "Number of seconds spent by processing waiting for this CPU.");
      const slices = out.family("node_schedstat_timeslices_total", "counter", "Number of timeslices executed by CPU.");
      for (const line of lines(text)) {
        if (!line.startsWith("cpu")) continue;
        const f = fields(line);
        if (f.length < 10) continue;
        const cpu = f[0]!.slice(3);
        running.add(Number(f[7]) / 1e9, { cpu });
        waiting.add(Number(f[8]) / 1e9, { cpu });
        slices.add(Number(f[9]), { cpu });
      }
    },
  }),
});
