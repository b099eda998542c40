/** IP addresses printed as Go's net.IP.String prints them, for labels that must match node_exporter's. */

/** Go's net.IP.String for IPv6: lower-case groups, the longest run of two or more zero groups as `::`. */
export function formatIPv6(groups: readonly number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return hex.slice(0, bestStart).join(":") + "::" + hex.slice(bestStart + bestLen).join(":");
}

/** A 4- or 16-byte address from a netlink attribute; undefined for any other length. */
export function formatIPBytes(view: DataView, off: number, len: number): string | undefined {
  if (len === 4) return [0, 1, 2, 3].map((i) => view.getUint8(off + i)).join(".");
  if (len !== 16) return undefined;
  const groups = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => view.getUint16(off + 2 * i, false));
  // Go prints an IPv4-mapped IPv6 address as the IPv4 address
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return formatIPBytes(view, off + 12, 4);
  return formatIPv6(groups);
}
