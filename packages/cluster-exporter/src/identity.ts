/**
 * uid -> user name and primary gid, gid -> group name, through `getent passwd <uid>...` and
 * `getent group <gid>...`. Only the ids a scrape saw are asked for (enumerating all of passwd is useless
 * under SSSD, where enumeration is off), and answers, "no such id" included, are cached for the TTL.
 */
import { CommandError, firstLine, runCommand } from "./command.ts";
import { TtlCache } from "./ttl-cache.ts";

export interface PasswdEntry {
  name: string;
  gid: number;
}

export interface IdentityOptions {
  path: string;
  timeoutSeconds: number;
  ttlSeconds: number;
  now?: () => number;
}

/** getent's exit status 2: "one or more keys not found", which is an answer, not a failure. */
const GETENT_OK = new Set([0, 2]);
/** Keys per getent call: keeps argv far below ARG_MAX with any number of ids. */
const BATCH = 1000;

/** `name:x:uid:gid:...` lines (passwd) or `name:x:gid:members` (group): the id field -> the whole row. */
export function parseColonRows(text: string, idField: number): Map<number, string[]> {
  const rows = new Map<number, string[]>();
  for (const line of text.split("\n")) {
    const fields = line.split(":");
    if (fields.length <= idField) continue;
    const id = Number(fields[idField]);
    if (fields[0] === "" || !Number.isInteger(id)) continue;
    if (!rows.has(id)) rows.set(id, fields);
  }
  return rows;
}

export class IdentityResolver {
  private readonly users: TtlCache<number, PasswdEntry | null>;
  private readonly groups: TtlCache<number, string | null>;

  constructor(private readonly opts: IdentityOptions) {
    this.users = new TtlCache(opts.ttlSeconds, opts.now);
    this.groups = new TtlCache(opts.ttlSeconds, opts.now);
  }

  /** Each uid -> its passwd entry, or null where the system knows no such user. */
  async resolveUsers(uids: Iterable<number>): Promise<Map<number, PasswdEntry | null>> {
    return this.resolve("passwd", uids, this.users, (row) => {
      const gid = Number(row[3]);
      return Number.isInteger(gid) ? { name: row[0]!, gid } : null;
    });
  }

  /** Each gid -> its group name, or null where the system knows no such group. */
  async resolveGroups(gids: Iterable<number>): Promise<Map<number, string | null>> {
    return this.resolve("group", gids, this.groups, (row) => row[0]!);
  }

  private async resolve<V>(
    database: "passwd" | "group",
    ids: Iterable<number>,
    cache: TtlCache<number, V | null>,
    fromRow: (row: string[]) => V | null,
  ): Promise<Map<number, V | null>> {
    const out = new Map<number, V | null>();
    const missing: number[] = [];
    for (const id of ids) {
      if (out.has(id)) continue;
      const known = cache.get(id);
      if (known !== undefined) out.set(id, known);
      else {
        out.set(id, null);
        missing.push(id);
      }
    }
    for (let i = 0; i < missing.length; i += BATCH) {
      const batch = missing.slice(i, i + BATCH);
      const rows = await this.getent(database, batch);
      for (const id of batch) {
        const row = rows.get(id);
        const value = row ? fromRow(row) : null;
        cache.set(id, value);
        out.set(id, value);
      }
    }
    return out;
  }

  private async getent(database: "passwd" | "group", ids: number[]): Promise<Map<number, string[]>> {
    const { stdout, stderr, exitCode } = await runCommand([this.opts.path, database, ...ids.map(String)], {
      timeoutSeconds: this.opts.timeoutSeconds,
    });
    if (!GETENT_OK.has(exitCode)) {
      const why = firstLine(stderr) || "no message";
      throw new CommandError(`${this.opts.path} ${database} exited with status ${exitCode}: ${why}`);
    }
    return parseColonRows(stdout, 2);
  }
}
