/**
 * node_exporter's include/exclude filter pair: with an include pattern only matches pass; otherwise
 * everything but the exclude pattern's matches.
 */
export function deviceFilter(include: RegExp | undefined, exclude: RegExp | undefined): (name: string) => boolean {
  if (include) return (name) => include.test(name);
  if (exclude) return (name) => !exclude.test(name);
  return () => true;
}
