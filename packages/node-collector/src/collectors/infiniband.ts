/** InfiniBand port state, rate and counters from /sys/class/infiniband (node_exporter's infiniband collector). */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { errnoOf, goInt, listSourceDir } from "../read.ts";
import { readRegularFiles, readStrict } from "../strict-read.ts";
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

/** hw_counters that node_exporter's sysfs library parses (mlx5 and irdma devices), though none is exported. */
const HW_COUNTERS = new Set(
  ("duplicate_request implied_nak_seq_err lifespan local_ack_timeout_err np_cnp_sent np_ecn_marked_roce_packets out_of_buffer " +
    "out_of_sequence packet_seq_err req_cqe_error req_cqe_flush_error req_remote_access_errors req_remote_invalid_request " +
    "resp_cqe_error resp_cqe_flush_error resp_local_length_error resp_remote_access_errors rnr_nak_retry_err roce_adp_retrans " +
    "roce_adp_retrans_to roce_slow_restart roce_slow_restart_cnps roce_slow_restart_trans rp_cnp_handled rp_cnp_ignored " +
    "rx_atomic_requests rx_dct_connect rx_icrc_encapsulated rx_read_requests rx_write_requests").split(" "),
);
const PARSED = new Set([...COUNTERS, ...LEGACY_COUNTERS].map(([file]) => file));

/**
 * One counters directory as node_exporter 1.8.2's sysfs library reads it: every regular file; one that is
 * missing, forbidden or answers EOPNOTSUPP is left out, any other read error throws, and so does a counter it
 * parses (`parsed`) whose value is not an unsigned integer, unless it says "N/A (no PMA)".
 */
function readCounters(dir: string, parsed: ReadonlySet<string>): Map<string, string> {
  const values = readRegularFiles(dir, (code) => code === "ENOENT" || code === "EACCES" || code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP");
  for (const [name, value] of values) {
    // Go's ParseUint(s, 0, 64): no sign, decimal or 0x/0o/0b.
    const unsigned = /^[0-9]/.test(value) && !Number.isNaN(goInt(value));
    if (parsed.has(name) && !unsigned && !value.includes("N/A (no PMA)")) throw new Error(`${dir}/${name}: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return values;
}

interface Port {
  port: string;
  state: number;
  phys: number;
  rate: number;
  /** counters/ and counters_ext/ by file name. */
  counters: Map<string, string>;
}

/** One device and its ports, every file node_exporter reads read, before anything is added. */
function readDevice(ddir: string, device: string): { labels: Record<string, string>; ports: Port[] } {
  const optional = (f: string) => {
    try {
      return readStrict(join(ddir, f));
    } catch (e) {
      if (errnoOf(e) === "ENOENT") return "";
      throw e;
    }
  };
  const labels = { board_id: utf8Label(optional("board_id")), device, firmware_version: utf8Label(readStrict(join(ddir, "fw_ver"))), hca_type: utf8Label(optional("hca_type")) };
  const ports = readdirSync(join(ddir, "ports")).map((port): Port => {
    if (!/^\d+$/.test(port)) throw new Error(`infiniband: port ${JSON.stringify(port)} of ${device} is not a number`);
    const pdir = join(ddir, "ports", port);
    const counters = new Map<string, string>();
    // Intel's irdma has no counters directory; mlx5 and irdma have hw_counters, read for their errors only.
    if (!device.startsWith("irdma")) {
      for (const [k, v] of readCounters(join(pdir, "counters"), PARSED)) counters.set(k, v);
      if (existsSync(join(pdir, "counters_ext"))) for (const [k, v] of readCounters(join(pdir, "counters_ext"), PARSED)) counters.set(k, v);
    }
    if (device.startsWith("irdma") || device.startsWith("mlx5_")) readCounters(join(pdir, "hw_counters"), HW_COUNTERS);
    return {
      port,
      state: stateId(readStrict(join(pdir, "state")), join(pdir, "state")),
      phys: stateId(readStrict(join(pdir, "phys_state")), join(pdir, "phys_state")),
      rate: rateBytes(readStrict(join(pdir, "rate")), join(pdir, "rate")),
      counters,
    };
  });
  return { labels, ports: ports.sort((a, b) => Number(a.port) - Number(b.port)) };
}

export const infiniband = defineCollector({
  name: "infiniband",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "infiniband");
      // As node_exporter 1.8.2: a file it requires that is missing is no data, any other error fails.
      let devices: { labels: Record<string, string>; ports: Port[] }[];
      try {
        devices = listSourceDir(root)
          .sort()
          .map((device) => readDevice(join(root, device), device));
      } catch (e) {
        if (errnoOf(e) === "ENOENT") throw new NoDataError((e as Error).message);
        throw e;
      }
      const info = out.family("node_infiniband_info", "gauge", "Non-numeric data from /sys/class/infiniband/<device>, value is always 1.");
      const state = out.family("node_infiniband_state_id", "gauge", "State of the InfiniBand port (0: no change, 1: down, 2: init, 3: armed, 4: active, 5: act defer)");
      const phys = out.family("node_infiniband_physical_state_id", "gauge", "Physical state of the InfiniBand port (0: no change, 1: sleep, 2: polling, 3: disable, 4: shift, 5: link up, 6: link error recover, 7: phytest)");
      const rate = out.family("node_infiniband_rate_bytes_per_second", "gauge", "Maximum signal transfer rate");
      const counters = [...COUNTERS, ...LEGACY_COUNTERS].map(([file, metric, help, x4]) => ({ file, scale: x4 ? 4 : 1, family: out.family(`node_infiniband_${metric}`, "counter", help) }));
      for (const { labels: deviceLabels, ports } of devices) {
        info.add(1, deviceLabels);
        for (const p of ports) {
          const labels = { device: deviceLabels.device!, port: p.port };
          state.add(p.state, labels);
          phys.add(p.phys, labels);
          rate.add(p.rate, labels);
          for (const c of counters) {
            const raw = p.counters.get(c.file);
            // Absent counters, and "N/A (no PMA)" from ports without a performance agent, are left out.
            if (raw === undefined || raw === "" || raw.startsWith("N/A")) continue;
            c.family.add(goInt(raw) * c.scale, labels);
          }
        }
      }
    },
  }),
});
