import { describe, expect, test } from "bun:test";
import { DEFAULT_SYSTEM_BUS, parseBusAddress, systemBusAddress } from "./address.ts";

describe("D-Bus addresses", () => {
  test.each([
    ["unix:path=/run/dbus/system_bus_socket", ["/run/dbus/system_bus_socket"]],
    ["unix:abstract=/tmp/dbus-x,guid=0123", ["\0/tmp/dbus-x"]],
    ["unix:path=/tmp/a%20b%2cc", ["/tmp/a b,c"]], // values are %-escaped
    // alternatives in order; transports this client does not speak are skipped
    ["tcp:host=localhost,port=1;unix:path=/a;unix:abstract=b", ["/a", "\0b"]],
  ])("%p", (address, sockets) => {
    expect(parseBusAddress(address).map((a) => a.unix)).toEqual(sockets);
  });

  test.each([
    ["/run/dbus/system_bus_socket", "has no transport"],
    ["tcp:host=localhost,port=1", "lists no unix:path= or unix:abstract= socket"],
    ["unix:runtime=yes", "lists no unix:path="],
    ["unix:path", "is not key=value"],
    ["unix:path=/a,abstract=b", "names both"],
    ["unix:path=%zz", "bad %-escape"],
  ])("%p is refused: %s", (address, message) => {
    expect(() => parseBusAddress(address)).toThrow(message);
  });

  test("the system bus: DBUS_SYSTEM_BUS_ADDRESS, or the default socket when unset or empty", () => {
    expect(systemBusAddress({ DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/x" })).toBe("unix:path=/x");
    expect(systemBusAddress({})).toBe(DEFAULT_SYSTEM_BUS);
    expect(systemBusAddress({ DBUS_SYSTEM_BUS_ADDRESS: "" })).toBe("unix:path=/var/run/dbus/system_bus_socket");
  });
});
