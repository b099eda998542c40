/**
 * Opening a file whose kind the host decides (a textfile, os-release, anything under --path.*) without being
 * stalled by it: a FIFO named like a metrics file blocks a plain open(2) until a writer comes, and a link to
 * /dev/zero never reaches end of file. Such files are opened non-blocking and refused after an fstat.
 */
import { constants } from "node:fs";

/**
 * open(2) flags for reading: O_NONBLOCK makes a FIFO open at once instead of waiting for a writer, and
 * O_NOCTTY keeps a terminal from becoming the agent's controlling one. Regular files ignore both.
 */
export const READ_NONBLOCK = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;

/** The part of fs.Stats this needs; node:fs and node:fs/promises both return it. */
interface FileKind {
  isFile(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isDirectory(): boolean;
  isSocket(): boolean;
}

function kindOf(st: FileKind): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isDirectory()) return "a directory";
  if (st.isSocket()) return "a socket";
  return "not a regular file";
}

/** Throws unless `st` (an fstat of the descriptor just opened for `path`) is a regular file. */
export function assertRegularFile(path: string, st: FileKind): void {
  if (!st.isFile()) throw new Error(`${path} is ${kindOf(st)}, not a regular file; not read`);
}
