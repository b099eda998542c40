/**
 * Link modes, driver information and driver statistics of every network device through the SIOCETHTOOL
 * ioctl (node_exporter's ethtool collector, off by default).
 */
import { flag, type MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { EOPNOTSUPP, Ethtool, EthtoolError } from "../ethtool-ioctl.ts";
import { deviceFilter, listDir, readAttr, sysPath } from "../read.ts";

const Mbps = 1000000 / 8;

/** ethtool_link_mode_bit_indices below 32 (ETHTOOL_GSET carries 32 bits): speed, duplex, PHY as node_exporter names them. */
const SPEEDS: [bit: number, speed: number, duplex: "full" | "half", phy: string][] = [
  [0, 10, "half", "T"], [1, 10, "full", "T"], [2, 100, "half", "T"], [3, 100, "full", "T"], [4, 1000, "half", "T"],
  [5, 1000, "full", "T"], [12, 10000, "full", "T"], [17, 1000, "full", "KX"], [18, 10000, "full", "KX4"],
  [19, 10000, "full", "KR"], [20, 10000, "full", "R_FEC"], [21, 20000, "full", "MLD2"], [22, 20000, "full", "KR2"],
  [23, 40000, "full", "KR4"], [24, 40000, "full", "CR4"], [25, 40000, "full", "SR4"], [26, 40000, "full", "LR4"],
  [27, 56000, "full", "KR4"], [28, 56000, "full", "CR4"], [29, 56000, "full", "SR4"], [30, 56000, "full", "LR4"],
  [31, 25000, "full", "CR"],
];
const PORTS: [bit: number, type: string][] = [[7, "TP"], [8, "AUI"], [9, "MII"], [10, "FIBRE"], [11, "BNC"], [16, "Backplane"]];
const AUTONEG_BIT = 6;
const PAUSE_BIT = 13;
const ASYM_PAUSE_BIT = 14;

/** Statistics node_exporter names and describes itself (with _total); every other one is named after the driver's string. */
const KNOWN_STATS: Record<string, [name: string, help: string]> = {
  rx_bytes: ["node_ethtool_received_bytes_total", "Network interface bytes received"],
  rx_dropped: ["node_ethtool_received_dropped_total", "Number of received frames dropped"],
  rx_errors: ["node_ethtool_received_errors_total", "Number of received frames with errors"],
  rx_packets: ["node_ethtool_received_packets_total", "Network interface packets received"],
  tx_bytes: ["node_ethtool_transmitted_bytes_total", "Network interface bytes sent"],
  tx_errors: ["node_ethtool_transmitted_errors_total", "Number of sent frames with errors"],
  tx_packets: ["node_ethtool_transmitted_packets_total", "Network interface packets sent"],
};

/** node_exporter's SanitizeMetricName: every run of other characters, with the underscores around it, is one `_`. */
const sanitize = (s: string) => s.replace(/_*[^0-9A-Za-z_]+_*/g, "_");

function statName(sanitized: string): string {
  const name = sanitized.toLowerCase().replace(/^_+/, "").replace(/(^|_)rx(_|$)/g, "$1received$2").replace(/(^|_)tx(_|$)/g, "$1transmitted$2");
  return `node_ethtool_${name}`;
}

const has = (modes: number, bit: number) => (modes & (2 ** bit)) !== 0 ? 1 : 0;

function speeds(out: MetricSet, prefix: "supported" | "advertised", device: string, modes: number): void {
  const help = prefix === "supported" ? "Combination of speeds and features supported by network device" : "Combination of speeds and features offered by network device";
  const fam = out.family(`node_network_${prefix}_speed_bytes`, "gauge", help);
  for (const [bit, speed, duplex, phy] of SPEEDS) if (has(modes, bit)) fam.add(speed * Mbps, { device, duplex, mode: `${speed}base${phy}` });
}

const CAPABILITY_HELP = {
  supported: ["If this port device supports autonegotiate", "If this port device supports pause frames", "If this port device supports asymmetric pause frames"],
  advertised: ["If this port device offers autonegotiate", "If this port device offers pause capability", "If this port device offers asymmetric pause capability"],
};

function capabilities(out: MetricSet, prefix: "supported" | "advertised", device: string, modes: number): void {
  const [autoneg, pause, asymPause] = CAPABILITY_HELP[prefix];
  out.gauge(`node_network_autonegotiate_${prefix}`, autoneg!, has(modes, AUTONEG_BIT), { device });
  out.gauge(`node_network_pause_${prefix}`, pause!, has(modes, PAUSE_BIT), { device });
  out.gauge(`node_network_asymmetricpause_${prefix}`, asymPause!, has(modes, ASYM_PAUSE_BIT), { device });
}

export const ethtool = defineCollector({
  name: "ethtool",
  defaultEnabled: false,
  flags: {
    deviceInclude: flag.regex("collector.ethtool.device-include", "", "Regexp of ethtool devices to include (mutually exclusive to device-exclude)."),
    deviceExclude: flag.regex("collector.ethtool.device-exclude", "", "Regexp of ethtool devices to exclude (mutually exclusive to device-include)."),
    metricsInclude: flag.regex("collector.ethtool.metrics-include", ".*", "Regexp of ethtool stats to include."),
  },
  create: ({ paths, config, log }) => ({
    collect(out) {
      const base = sysPath(paths, "class/net");
      // devices as node_exporter's sysfs reader lists them: directories of /sys/class/net with an ifindex
      const devices = listDir(base).filter((d) => readAttr(`${base}/${d}/ifindex`) !== null).sort();
      if (devices.length === 0) throw new Error(`no network devices found in ${base}`);
      const keep = deviceFilter(config.deviceInclude, config.deviceExclude);
      const metrics = config.metricsInclude ?? /(?:)/;
      // a device without ethtool support (EOPNOTSUPP) is normal; anything else is logged, as node_exporter does
      const failed = (what: string, device: string, e: unknown) => {
        if (e instanceof EthtoolError && e.errno === EOPNOTSUPP) log.debug(`ethtool ${what} error`, { device, err: e.message });
        else log.error(`ethtool ${what} error`, { device, err: (e as Error).message });
      };
      const e = new Ethtool();
      try {
        for (const device of devices.filter(keep)) {
          try {
            const link = e.linkSettings(device);
            speeds(out, "supported", device, link.supported);
            const ports = out.family("node_network_supported_port_info", "gauge", "Type of ports or PHYs supported by network device");
            for (const [bit, type] of PORTS) if (has(link.supported, bit)) ports.add(1, { device, type });
            capabilities(out, "supported", device, link.supported);
            speeds(out, "advertised", device, link.advertising);
            capabilities(out, "advertised", device, link.advertising);
            out.gauge("node_network_autonegotiate", "If this port is using autonegotiate", link.autoneg, { device });
          } catch (err) {
            failed("link info", device, err);
          }
          try {
            const d = e.driverInfo(device);
            out.gauge("node_ethtool_info", "A metric with a constant '1' value labeled by bus_info, device, driver, expansion_rom_version, firmware_version, version.", 1, {
              bus_info: d.busInfo, device, driver: d.driver, expansion_rom_version: d.expansionRomVersion, firmware_version: d.firmwareVersion, version: d.version,
            });
          } catch (err) {
            failed("driver info", device, err);
          }
          let stats: Map<string, number>;
          try {
            stats = e.stats(device);
          } catch (err) {
            failed("stats", device, err);
            continue;
          }
          // statistics whose names sanitize to the same metric are all dropped, as node_exporter drops them
          const byName = new Map<string, string | null>();
          for (const stat of stats.keys()) {
            const sanitized = sanitize(stat);
            if (!metrics.test(sanitized)) continue;
            const name = statName(sanitized);
            byName.set(name, byName.has(name) ? null : stat);
          }
          for (const [name, stat] of byName) {
            if (stat === null) continue;
            const sanitized = sanitize(stat);
            const [known, help] = KNOWN_STATS[sanitized] ?? [name, `Network interface ${sanitized}`];
            out.untyped(known, help, stats.get(stat)!, { device });
          }
        }
      } finally {
        e.close();
      }
    },
  }),
});
