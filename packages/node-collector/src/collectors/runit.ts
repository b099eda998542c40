/**
 * runit services from their supervise/status files (node_exporter's runit collector, deprecated in 1.8.2 but
 * still accepted). Each service directory under --collector.runit.servicedir whose runsv has written a status
 * is reported; one without (runsv not running) is skipped.
 */
import { openSync, readSync, closeSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { warnDeprecated } from "../deprecated.ts";

/** supervise/status: TAI64N time of the last change, pid (little-endian), paused, want ('u'/'d'), term, state. */
const STATUS_LEN = 20;
/** TAI64 labels second 0 of 1970 as 2^62 + 10 (TAI ran 10 s ahead of UTC then). */
const TAI_OFFSET = (1n << 62n) + 10n;

function readStatus(path: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch {
    return null;
  }
  try {
    // A short file leaves the rest zero, as node_exporter reads it.
    const buf = Buffer.alloc(STATUS_LEN);
    readSync(fd, buf, 0, STATUS_LEN, 0);
    return buf;
  } finally {
    closeSync(fd);
  }
}

export const runit = defineCollector({
  name: "runit",
  defaultEnabled: false,
  flags: {
    serviceDir: flag.string("collector.runit.servicedir", "/etc/service", "Path to runit service directory."),
  },
  create({ config, log }) {
    warnDeprecated("runit", log);
    return {
      collect(out) {
        const dir = config.serviceDir;
        const services = readdirSync(dir, { withFileTypes: true })
          .filter((d) => d.isDirectory() || d.isSymbolicLink())
          .map((d) => d.name)
          .sort();
        const labels = (service: string) => ({ service, supervisor: "runit" });
        for (const service of services) {
          const status = readStatus(join(dir, service, "supervise", "status"));
          if (status === null) {
            log.debug("runit: no status, skipped", { service });
            continue;
          }
          const tai = status.readBigUInt64BE(0);
          const want = status[17] === 0x75 ? 1 : 0; // 'u' up, 'd' (or nothing) down
          // runit's ./down file marks a service that is not started at boot. node_exporter 1.8.2 looks for it in
          // supervise/ instead, where runit never writes it; we look where runit reads it.
          const normallyUp = !existsSync(join(dir, service, "down"));
          out.gauge("node_service_state", "State of runit service.", status[19]!, labels(service));
          out.gauge("node_service_desired_state", "Desired state of runit service.", want, labels(service));
          out.gauge("node_service_state_last_change_timestamp_seconds", "Unix timestamp of the last runit service state change.", Number(tai - TAI_OFFSET), labels(service));
          out.gauge("node_service_normal_state", "Normal state of runit service.", normallyUp ? 1 : 0, labels(service));
        }
      },
    };
  },
});
