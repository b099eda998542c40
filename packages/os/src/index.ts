/**
 * What the agent asks of Linux beyond node:fs: libc functions through bun:ffi, procfs and sysfs reads on the
 * scrape path, and opening files whose kind the host decides. No role or frame logic lives here.
 */
export * from "./libc.ts";
export * from "./pseudo-files.ts";
export * from "./regular-file.ts";
