/**
 * glibc functions through bun:ffi, for the system calls that Node's fs has no binding for (netlink sockets,
 * adjtimex, ioctl, madvise, poll, getrlimit). Each caller names the symbols it needs; opening a library that
 * is already loaded only takes another reference to it, so every caller shares one mapping of libc.
 */
import { dlopen, type ConvertFns, type FFIFunction } from "bun:ffi";

/** The named libc functions, or null where there is no glibc to load (musl, macOS): callers go without. */
export function libcFunctions<const S extends Record<string, FFIFunction>>(symbols: S): ConvertFns<S> | null {
  if (process.platform !== "linux") return null;
  try {
    return dlopen("libc.so.6", symbols).symbols;
  } catch {
    return null;
  }
}
