/**
 * ETHTOOL_MSG_LINKMODES_GET over the "ethtool" generic netlink family: speed and duplex of every device that
 * reports link settings, as node_exporter's netclass collector reads them in its netlink mode.
 */
import { attr, genlFamilyId, genlMessage, NETLINK_GENERIC } from "./genetlink.ts";
import { attrString, forEachAttr, netlinkRequest } from "./netlink.ts";

const ETHTOOL_MSG_LINKMODES_GET = 4;
const ETHTOOL_A_LINKMODES_HEADER = 1;
const ETHTOOL_A_LINKMODES_SPEED = 5;
const ETHTOOL_A_LINKMODES_DUPLEX = 6;
const ETHTOOL_A_HEADER_DEV_NAME = 2;
/** The kernel validates ethtool requests strictly: a nested attribute must say so. */
const NLA_F_NESTED = 0x8000;

export interface LinkMode {
  device: string;
  /** As the kernel reports it: 0xffffffff (SPEED_UNKNOWN) where the link has no speed. */
  speedMegabits: number;
  /** "Half", "Full" or "Unknown", as the Go library's stringer names its Duplex values. */
  duplex: string;
}

const DUPLEX: Record<number, string> = { 0: "Half", 1: "Full", 0xff: "Unknown" };

/** Every device's link mode; null where the kernel has no ethtool netlink family (before Linux 5.6). */
export function dumpLinkModes(): LinkMode[] | null {
  const family = genlFamilyId("ethtool");
  if (family === null) return null;
  const out: LinkMode[] = [];
  const request = genlMessage(ETHTOOL_MSG_LINKMODES_GET, 1, [attr(ETHTOOL_A_LINKMODES_HEADER | NLA_F_NESTED, new Uint8Array(0))]);
  const ok = netlinkRequest(NETLINK_GENERIC, family, true, request, family, (view, off, end) => {
    const lm: LinkMode = { device: "", speedMegabits: 0, duplex: "Unknown" };
    forEachAttr(view, off + 4, end, (type, d, dlen) => {
      if (type === ETHTOOL_A_LINKMODES_HEADER) {
        forEachAttr(view, d, d + dlen, (t, hd, hlen) => {
          if (t === ETHTOOL_A_HEADER_DEV_NAME) lm.device = attrString(hd, hlen);
        });
      } else if (type === ETHTOOL_A_LINKMODES_SPEED) lm.speedMegabits = view.getUint32(d, true);
      else if (type === ETHTOOL_A_LINKMODES_DUPLEX) lm.duplex = DUPLEX[view.getUint8(d)] ?? `Duplex(${view.getUint8(d)})`;
    });
    if (lm.device !== "") out.push(lm);
  });
  if (!ok) throw new Error("could not get link modes over ethtool netlink");
  return out;
}
