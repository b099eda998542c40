/**
 * RTM_GETROUTE over NETLINK_ROUTE: every route of every table and family, as `ip route show table all` lists
 * them. node_exporter's network_route collector reads the same dump.
 */
import { formatIPBytes as ip } from "./ip-address.ts";
import { forEachAttr, rtnlDump } from "./netlink.ts";

const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
const RTA = { DST: 1, OIF: 4, GATEWAY: 5, PRIORITY: 6, PREFSRC: 7, MULTIPATH: 9 } as const;

export interface NextHop {
  ifindex: number;
  /** rtnh_hops: the weight minus one. */
  hops: number;
  gateway?: string;
}

export interface Route {
  /** rtm_type: RTN_UNICAST 1, RTN_LOCAL 2, RTN_BROADCAST 3, ... */
  type: number;
  protocol: number;
  dstLength: number;
  dst?: string;
  src?: string;
  gateway?: string;
  oif: number;
  priority: number;
  multipath: NextHop[];
}

function parseMultipath(view: DataView, off: number, end: number): NextHop[] {
  const hops: NextHop[] = [];
  // struct rtnexthop { u16 len; u8 flags; u8 hops; i32 ifindex } then its own attributes
  while (off + 8 <= end) {
    const len = view.getUint16(off, true);
    if (len < 8 || off + len > end) break;
    const hop: NextHop = { hops: view.getUint8(off + 3), ifindex: view.getInt32(off + 4, true) };
    forEachAttr(view, off + 8, off + len, (type, d, dlen) => {
      if (type === RTA.GATEWAY) hop.gateway = ip(view, d, dlen);
    });
    hops.push(hop);
    off += (len + 3) & ~3;
  }
  return hops;
}

/** Every route of the host, or null when netlink cannot be used here. */
export function dumpRoutes(): Route[] | null {
  const routes: Route[] = [];
  // struct rtmsg, all zero: family AF_UNSPEC, every table
  const ok = rtnlDump(RTM_GETROUTE, new Uint8Array(12), RTM_NEWROUTE, (view, off, end) => {
    const route: Route = {
      dstLength: view.getUint8(off + 1),
      protocol: view.getUint8(off + 5),
      type: view.getUint8(off + 7),
      oif: 0,
      priority: 0,
      multipath: [],
    };
    forEachAttr(view, off + 12, end, (type, d, dlen) => {
      switch (type) {
        case RTA.DST: route.dst = ip(view, d, dlen); break;
        case RTA.PREFSRC: route.src = ip(view, d, dlen); break;
        case RTA.GATEWAY: route.gateway = ip(view, d, dlen); break;
        case RTA.OIF: route.oif = view.getInt32(d, true); break;
        case RTA.PRIORITY: route.priority = view.getUint32(d, true); break;
        case RTA.MULTIPATH: route.multipath = parseMultipath(view, d, d + dlen); break;
      }
    });
    routes.push(route);
  });
  return ok ? routes : null;
}
