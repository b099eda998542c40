/**
 * What collectors read the host with, behind one import: paths under the --path.* roots (read/paths.ts),
 * files, attributes and listings (read/files.ts), lines and fields (read/fields.ts), files of keyed lines
 * whose layout repeats (read/keyed-lines.ts), value formats (read/formats.ts) and node_exporter's
 * include/exclude filters (read/device-filter.ts).
 */
export { deviceFilter } from "./read/device-filter.ts";
export { blankAt, field, fields, integerAt, lines } from "./read/fields.ts";
export { errnoOf, listDir, listSourceDir, listSubdirs, readAttr, readNumber, readText } from "./read/files.ts";
export { goInt, parseEnvFile, USER_HZ } from "./read/formats.ts";
export { KeyedLines } from "./read/keyed-lines.ts";
export { DEFAULT_PATHS, procPath, rootfsPath, sysPath } from "./read/paths.ts";
