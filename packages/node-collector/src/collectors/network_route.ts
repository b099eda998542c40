/** Routing table entries from an RTM_GETROUTE dump (node_exporter's network_route collector, off by default). */
import { defineCollector } from "../collector.ts";
import { dumpLinks } from "../netlink.ts";
import { dumpRoutes } from "../routes.ts";

const RTN_UNICAST = 1;

/** rtm_protocol names from the kernel's include/uapi/linux/rtnetlink.h, as node_exporter spells them. */
const PROTOCOLS: Record<number, string> = {
  0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra", 10: "mrt", 11: "zebra",
  12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 17: "mrouted", 42: "babel", 186: "bgp",
  187: "isis", 188: "ospf", 189: "rip", 192: "eigrp",
};

export const network_route = defineCollector({
  name: "network_route",
  defaultEnabled: false,
  create: () => ({
    collect(out, { scrape }) {
      // node_exporter fails the scrape when rtnetlink cannot be dialled; so does this
      const links = scrape.once(dumpLinks);
      const routes = dumpRoutes();
      if (!links || !routes) throw new Error("couldn't list links and routes over rtnetlink");
      const names = new Map(links.map((l) => [l.index, l.name]));
      // label values in label-name order: dest, device, gw, priority, proto, src, weight
      const rows = new Map<string, string[]>();
      const perDevice = new Map<string, number>();
      for (const r of routes) {
        // node_exporter keeps unicast routes only (it compares rtm_type with RTA_DST, both 1)
        if (r.type !== RTN_UNICAST) continue;
        const dest = r.dstLength === 0 ? "default" : `${r.dst ?? ""}/${r.dstLength}`;
        const proto = PROTOCOLS[r.protocol] ?? "unknown";
        const hops = r.multipath.length > 0 ? r.multipath : [{ ifindex: r.oif, gateway: r.gateway, hops: -1 }];
        for (const hop of hops) {
          const device = names.get(hop.ifindex) ?? "";
          const row = [dest, device, hop.gateway ?? "", String(r.priority), proto, r.src ?? "", hop.hops < 0 ? "" : String(hop.hops + 1)];
          // the same route in two tables is one series, as client_golang keeps the first of duplicates
          const key = row.join("\0");
          if (!rows.has(key)) rows.set(key, row);
          perDevice.set(device, (perDevice.get(device) ?? 0) + 1);
        }
      }
      const info = out.family("node_network_route_info", "gauge", "network routing table information");
      for (const key of [...rows.keys()].sort()) {
        const [dest, device, gw, priority, proto, src, weight] = rows.get(key)!;
        info.add(1, { dest: dest!, device: device!, gw: gw!, priority: priority!, proto: proto!, src: src!, weight: weight! });
      }
      const count = out.family("node_network_routes", "gauge", "network routes by interface");
      for (const device of [...perDevice.keys()].sort()) count.add(perDevice.get(device)!, { device });
    },
  }),
});
