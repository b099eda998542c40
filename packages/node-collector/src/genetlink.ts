/** Generic netlink (NETLINK_GENERIC): families such as nl80211 are found by name through the controller. */
import { forEachAttr, netlinkRequest } from "./netlink.ts";

export const NETLINK_GENERIC = 16;
const GENL_ID_CTRL = 0x10;
const CTRL_CMD_GETFAMILY = 3;
const CTRL_ATTR_FAMILY_ID = 1;
const CTRL_ATTR_FAMILY_NAME = 2;

/** struct genlmsghdr (cmd, version, reserved) followed by attributes built by `attr`. */
export function genlMessage(cmd: number, version: number, attrs: Uint8Array[] = []): Uint8Array {
  const out = new Uint8Array(4 + attrs.reduce((n, a) => n + a.length, 0));
  out[0] = cmd;
  out[1] = version;
  let off = 4;
  for (const a of attrs) {
    out.set(a, off);
    off += a.length;
  }
  return out;
}

/** One netlink attribute, padded to 4 bytes. */
export function attr(type: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array((4 + data.length + 3) & ~3);
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + data.length, true);
  v.setUint16(2, type, true);
  out.set(data, 4);
  return out;
}

/** The numeric id of generic netlink family `name`, or null where the kernel has no such family (or no netlink). */
export function genlFamilyId(name: string): number | null {
  let id: number | null = null;
  const request = genlMessage(CTRL_CMD_GETFAMILY, 1, [attr(CTRL_ATTR_FAMILY_NAME, new TextEncoder().encode(name + "\0"))]);
  netlinkRequest(NETLINK_GENERIC, GENL_ID_CTRL, false, request, GENL_ID_CTRL, (view, off, end) => {
    forEachAttr(view, off + 4, end, (type, d) => {
      if (type === CTRL_ATTR_FAMILY_ID) id = view.getUint16(d, true);
    });
  });
  return id;
}
