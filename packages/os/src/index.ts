/**
 * What the agent asks of Linux beyond node:fs: libc functions through bun:ffi, procfs and sysfs reads on the
 * scrape path, opening files whose kind the host decides, and a D-Bus client. No role or frame logic lives here.
 */
export * from "./dbus/address.ts";
export * from "./dbus/connection.ts";
export * from "./dbus/wire.ts";
export * from "./libc.ts";
export * from "./pseudo-files.ts";
export * from "./regular-file.ts";
