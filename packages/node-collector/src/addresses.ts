/**
 * RTM_GETADDR over NETLINK_ROUTE: every address of every interface, as Go's net.Interface.Addrs lists them
 * for node_exporter's --collector.netdev.address-info.
 */
import { formatIPBytes } from "./ip-address.ts";
import { forEachAttr, rtnlDump } from "./netlink.ts";

const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;

export interface Address {
  ifindex: number;
  address: string;
  prefixLength: number;
}

/** Every interface address, or null when netlink cannot be used here. */
export function dumpAddresses(): Address[] | null {
  const out: Address[] = [];
  // struct ifaddrmsg (8 bytes), all zero: every family, every interface
  const ok = rtnlDump(RTM_GETADDR, new Uint8Array(8), RTM_NEWADDR, (view, off, end) => {
    let address: string | undefined;
    let local: string | undefined;
    forEachAttr(view, off + 8, end, (type, d, dlen) => {
      if (type === IFA_ADDRESS) address ??= formatIPBytes(view, d, dlen);
      else if (type === IFA_LOCAL) local ??= formatIPBytes(view, d, dlen);
    });
    // Go takes IFA_LOCAL where there is one (every IPv4 address; the peer of a point-to-point link is IFA_ADDRESS)
    const chosen = local ?? address;
    if (chosen !== undefined) out.push({ ifindex: view.getInt32(off + 4, true), address: chosen, prefixLength: view.getUint8(off + 1) });
  });
  return ok ? out : null;
}

/** Go's classification of an address for node_network_address_info's scope label. */
export function addressScope(address: string): string {
  if (address.includes(":")) {
    const first = parseInt(address.split(":")[0] || "0", 16);
    if (address === "::1" || (first & 0xffc0) === 0xfe80 || (first & 0xff0f) === 0xff02) return "link-local";
    if ((first & 0xff0f) === 0xff01) return "interface-local";
    if (address === "::" || (first & 0xff00) === 0xff00) return "";
    return "global";
  }
  const [a, b, c] = address.split(".").map(Number) as [number, number, number, number];
  if (a === 127 || (a === 169 && b === 254) || (a === 224 && b === 0 && c === 0)) return "link-local";
  if (address === "0.0.0.0" || address === "255.255.255.255" || (a >= 224 && a < 240)) return "";
  return "global";
}
