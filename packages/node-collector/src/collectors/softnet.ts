import { defineCollector } from "../collector.ts";
import { fields, lines, procPath } from "../read.ts";
import { readRequired } from "../strict-read.ts";

export const softnet = defineCollector({
  name: "softnet",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const text = readRequired(procPath(paths, "net/softnet_stat"));
      const processed = out.family("node_softnet_processed_total", "counter", "Number of processed packets");
      const dropped = out.family("node_softnet_dropped_total", "counter", "Number of dropped packets");
      const squeezed = out.family("node_softnet_times_squeezed_total", "counter", "Number of times processing packets ran out of quota");
      const collision = out.family("node_softnet_cpu_collision_total", "counter", "Number of collision occur while obtaining device lock while transmitting");
      const rps = out.family("node_softnet_received_rps_total", "counter", "Number of times cpu woken up received_rps");
      const flow = out.family("node_softnet_flow_limit_count_total", "counter", "Number of times flow limit has been reached");
      const backlog = out.family("node_softnet_backlog_len", "gauge", "Softnet backlog status");
      lines(text).forEach((line, i) => {
        const f = fields(line);
        // A column an older kernel lacks is 0, as node_exporter's procfs leaves it and still reports it.
        const hex = (k: number) => (k < f.length ? parseInt(f[k]!, 16) : 0);
        // Kernels since 5.10 print the CPU's index in column 13; older ones list online CPUs in order.
        const cpu = String(f.length >= 13 ? hex(12) : i);
        processed.add(hex(0), { cpu });
        dropped.add(hex(1), { cpu });
        squeezed.add(hex(2), { cpu });
        collision.add(hex(8), { cpu });
        rps.add(hex(9), { cpu });
        flow.add(hex(10), { cpu });
        backlog.add(hex(11), { cpu });
      });
    },
  }),
});
