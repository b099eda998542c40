/**
 * Where a worker thread's code is. From source, `fromSource` beside the module at `here` (its
 * import.meta.url). In the compiled binary every entry point sits under /$bunfs/root/ at its path below
 * packages/ (the entry points' common directory) with a .js suffix: `inBinary`, which scripts/build.ts must
 * list as an entry point.
 */
export function workerUrl(here: string, fromSource: string, inBinary: string): string {
  const bunfs = here.indexOf("/$bunfs/root/");
  if (bunfs < 0) return new URL(fromSource, here).href;
  return here.slice("file://".length, bunfs) + "/$bunfs/root/" + inBinary;
}
