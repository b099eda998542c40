/**
 * D-Bus server addresses (the specification's "Server Addresses"): `transport:key=value,...`, alternatives
 * separated by `;`, values %-escaped. Only unix sockets by path or abstract name are spoken here; the others
 * (tcp, unixexec, launchd, a directory to create a socket in) are skipped for the next alternative.
 */

/** The system bus when DBUS_SYSTEM_BUS_ADDRESS does not name one, as libdbus and sd-bus default. */
export const DEFAULT_SYSTEM_BUS = "unix:path=/var/run/dbus/system_bus_socket";

/** A socket to connect to: a filesystem path, or an abstract name with its leading NUL (as Bun.connect takes it). */
export interface UnixSocketAddress {
  unix: string;
  /** The address as written, for messages. */
  text: string;
}

/** The address of the system bus: DBUS_SYSTEM_BUS_ADDRESS, or the default socket. */
export function systemBusAddress(env: Record<string, string | undefined> = process.env): string {
  return env.DBUS_SYSTEM_BUS_ADDRESS || DEFAULT_SYSTEM_BUS;
}

function unescape(value: string, address: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new Error(`D-Bus address "${address}": bad %-escape in "${value}"`);
  }
}

/** The unix sockets `address` lists, in order; throws when it lists none this client can connect to. */
export function parseBusAddress(address: string): UnixSocketAddress[] {
  const found: UnixSocketAddress[] = [];
  for (const text of address.split(";")) {
    if (text === "") continue;
    const colon = text.indexOf(":");
    if (colon < 0) throw new Error(`D-Bus address "${text}" has no transport (want e.g. unix:path=/run/dbus/system_bus_socket)`);
    if (text.slice(0, colon) !== "unix") continue;
    const keys = new Map<string, string>();
    for (const pair of text.slice(colon + 1).split(",")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new Error(`D-Bus address "${text}": "${pair}" is not key=value`);
      keys.set(pair.slice(0, eq), unescape(pair.slice(eq + 1), text));
    }
    const path = keys.get("path");
    const abstract = keys.get("abstract");
    if (path !== undefined && abstract !== undefined) throw new Error(`D-Bus address "${text}" names both a path and an abstract socket`);
    if (path !== undefined) found.push({ unix: path, text });
    else if (abstract !== undefined) found.push({ unix: `\0${abstract}`, text });
  }
  if (found.length === 0) throw new Error(`D-Bus address "${address}" lists no unix:path= or unix:abstract= socket`);
  return found;
}
