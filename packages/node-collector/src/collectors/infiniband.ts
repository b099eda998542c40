/** InfiniBand port state, rate and counters from /sys/class/infiniband (node_exporter's infiniband collector). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { listDir, readAttr } from "../read.ts";
import { utf8Label } from "../utf8.ts";

type Counter = [file: string, metric: string, help: string];

/**
 * ports/<n>/counters. Mellanox reports the data counters per lane, divided by 4 unconditionally,
 * so node_exporter multiplies them back; `x4` marks those.
 */
const COUNTERS: (Counter | [...Counter, "x4"])[] = [
  ["excessive_buffer_overrun_errors", "excessive_buffer_overrun_errors_total", "Number of times that OverrunErrors consecutive flow control update periods occurred, each having at least one overrun error."],
  ["link_downed", "link_downed_total", "Number of times the link failed to recover from an error state and went down"],
  ["link_error_recovery", "link_error_recovery_total", "Number of times the link successfully recovered from an error state"],
  ["local_link_integrity_errors", "local_link_integrity_errors_total", "Number of times that the count of local physical errors exceeded the threshold specified by LocalPhyErrors."],
  ["multicast_rcv_packets", "multicast_packets_received_total", "Number of multicast packets received (including errors)"],
  ["multicast_xmit_packets", "multicast_packets_transmitted_total", "Number of multicast packets transmitted (including errors)"],
  ["port_rcv_constraint_errors", "port_constraint_errors_received_total", "Number of packets received on the switch physical port that are discarded"],
  ["port_xmit_constraint_errors", "port_constraint_errors_transmitted_total", "Number of packets not transmitted from the switch physical port"],
  ["port_rcv_data", "port_data_received_bytes_total", "Number of data octets received on all links", "x4"],
  ["port_xmit_data", "port_data_transmitted_bytes_total", "Number of data octets transmitted on all links", "x4"],
  ["port_rcv_discards", "port_discards_received_total", "Number of inbound packets discarded by the port because the port is down or congested"],
  ["port_xmit_discards", "port_discards_transmitted_total", "Number of outbound packets discarded by the port because the port is down or congested"],
  ["port_rcv_errors", "port_errors_received_total", "Number of packets containing an error that were received on this port"],
  ["port_rcv_packets", "port_packets_received_total", "Number of packets received on all VLs by this port (including errors)"],
  ["port_xmit_packets", "port_packets_transmitted_total", "Number of packets transmitted on all VLs from this port (including errors)"],
  ["port_xmit_wait", "port_transmit_wait_total", "Number of ticks during which the port had data to transmit but no data was sent during the entire tick"],
  ["port_rcv_remote_physical_errors", "port_receive_remote_physical_errors_total", "Number of packets marked with the EBP (End of Bad Packet) delimiter received on the port."],
  ["port_rcv_switch_relay_errors", "port_receive_switch_relay_errors_total", "Number of packets that could not be forwarded by the switch."],
  ["symbol_error", "symbol_error_total", "Number of minor link errors detected on one or more physical lanes."],
  ["unicast_rcv_packets", "unicast_packets_received_total", "Number of unicast packets received (including errors)"],
  ["unicast_xmit_packets", "unicast_packets_transmitted_total", "Number of unicast packets transmitted (including errors)"],
  ["VL15_dropped", "vl15_dropped_total", "Number of incoming VL15 packets dropped due to resource limitations."],
];

/** ports/<n>/counters_ext: the 64-bit counters kernels before 4.5 kept apart. */
const LEGACY_COUNTERS: (Counter | [...Counter, "x4"])[] = [
  ["port_multicast_rcv_packets", "legacy_multicast_packets_received_total", "Number of multicast packets received"],
  ["port_multicast_xmit_packets", "legacy_multicast_packets_transmitted_total", "Number of multicast packets transmitted"],
  ["port_rcv_data_64", "legacy_data_received_bytes_total", "Number of data octets received on all links", "x4"],
  ["port_rcv_packets_64", "legacy_packets_received_total", "Number of data packets received on all links"],
  ["port_unicast_rcv_packets", "legacy_unicast_packets_received_total", "Number of unicast packets received"],
  ["port_unicast_xmit_packets", "legacy_unicast_packets_transmitted_total", "Number of unicast packets transmitted"],
  ["port_xmit_data_64", "legacy_data_transmitted_bytes_total", "Number of data octets transmitted on all links", "x4"],
  ["port_xmit_packets_64", "legacy_packets_transmitted_total", "Number of data packets received on all links"],
];

/** `4: ACTIVE` -> 4. */
function stateId(text: string, path: string): number {
  const colon = text.indexOf(":");
  const id = colon > 0 ? Number(text.slice(0, colon).trim()) : NaN;
  if (!Number.isInteger(id)) throw new Error(`infiniband: cannot parse "${text}" in ${path}`);
  return id;
}

/** `56 Gb/sec (4X FDR)` -> bytes per second. */
function rateBytes(text: string, path: string): number {
  const gbps = Number(text.slice(0, text.indexOf(" ")));
  if (Number.isNaN(gbps)) throw new Error(`infiniband: cannot parse rate "${text}" in ${path}`);
  return Math.trunc(Math.fround(gbps) * 125000000);
}

export const infiniband = defineCollector({
  name: "infiniband",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "infiniband");
      const devices = listDir(root).sort();
      if (devices.length === 0 && !existsSync(root)) throw new NoDataError(root);
      const info = out.family("node_infiniband_info", "gauge", "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.");
      const state = out.family("node_infiniband_state_id", "gauge", "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)");
      const phys = out.family("node_infiniband_physical_state_id", "gauge", "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)");
      const rate = out.family("node_infiniband_rate_bytes_per_second", "gauge", "Maximum signal transfer rate");
      const counterSets = [
        { dir: "counters", table: COUNTERS },
        { dir: "counters_ext", table: LEGACY_COUNTERS },
      ].map(({ dir, table }) => ({
        dir,
        table: table.map(([file, metric, help, x4]) => ({ file, scale: x4 ? 4 : 1, family: out.family(`node_infiniband_${metric}`, "counter", help) })),
      }));

      for (const device of devices) {
        const ddir = join(root, device);
        const fw = readAttr(join(ddir, "fw_ver"));
        if (fw === null) throw new Error(`infiniband: cannot read ${join(ddir, "fw_ver")}`);
        info.add(1, { board_id: utf8Label(readAttr(join(ddir, "board_id")) ?? ""), device, firmware_version: utf8Label(fw), hca_type: utf8Label(readAttr(join(ddir, "hca_type")) ?? "") });
        const ports = listDir(join(ddir, "ports")).sort((a, b) => Number(a) - Number(b));
        for (const port of ports) {
          const pdir = join(ddir, "ports", port);
          const labels = { device, port };
          const must = (f: string) => {
            const v = readAttr(join(pdir, f));
            if (v === null) throw new Error(`infiniband: cannot read ${join(pdir, f)}`);
            return v;
          };
          state.add(stateId(must("state"), join(pdir, "state")), labels);
          phys.add(stateId(must("phys_state"), join(pdir, "phys_state")), labels);
          rate.add(rateBytes(must("rate"), join(pdir, "rate")), labels);
          for (const set of counterSets) {
            const present = new Set(listDir(join(pdir, set.dir)));
            for (const c of set.table) {
              if (!present.has(c.file)) continue;
              const raw = readAttr(join(pdir, set.dir, c.file));
              // Absent counters, and "N/A (no PMA)" from ports without a performance agent, are left out.
              if (raw === null || raw === "" || raw.startsWith("N/A")) continue;
              c.family.add(Number(raw) * c.scale, labels);
            }
          }
        }
      }
    },
  }),
});
