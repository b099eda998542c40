/**
 * A directory of pushes that could not be delivered, one file per group (the newest push for a group
 * replaces the older one, as it would have on the gateway). Files are written under a temporary name and
 * renamed, so a job killed mid-write leaves either the old record or the new one, never half of one.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PushMethod } from "./transport.ts";

export interface SpoolRecord {
  /** Normalized gateway base URL. */
  gateway: string;
  /** Group path, `/metrics/job/...`. */
  path: string;
  method: PushMethod;
  body?: string;
  /** Unix milliseconds (fractional, so pushes in one millisecond keep their order) of the failed push. */
  spooledAt: number;
}

export interface SpooledEntry {
  file: string;
  record: SpoolRecord;
}

function fileFor(gateway: string, path: string): string {
  return createHash("sha256").update(gateway + "\n" + path).digest("hex").slice(0, 32) + ".json";
}

function isRecord(v: unknown): v is SpoolRecord {
  const r = v as SpoolRecord;
  return typeof r === "object" && r !== null && typeof r.gateway === "string" && typeof r.path === "string" &&
    (r.method === "PUT" || r.method === "POST" || r.method === "DELETE") && typeof r.spooledAt === "number";
}

export class Spool {
  constructor(readonly dir: string) {}

  async save(record: SpoolRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, fileFor(record.gateway, record.path));
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(record), { mode: 0o600 });
    await rename(tmp, file);
  }

  /** Forgets the spooled push for a group, because a newer one was just delivered. */
  async drop(gateway: string, path: string): Promise<void> {
    await unlink(join(this.dir, fileFor(gateway, path))).catch(() => undefined);
  }

  async remove(entry: SpooledEntry): Promise<void> {
    await unlink(entry.file).catch(() => undefined);
  }

  /** Records for one gateway, oldest first; unreadable files are skipped, not deleted. */
  async list(gateway: string): Promise<SpooledEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const entries: SpooledEntry[] = [];
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      const file = join(this.dir, name);
      try {
        const record: unknown = JSON.parse(await readFile(file, "utf8"));
        if (isRecord(record) && record.gateway === gateway) entries.push({ file, record });
      } catch {
        // Being replaced by another process right now, or not ours: leave it.
      }
    }
    return entries.sort((a, b) => a.record.spooledAt - b.record.spooledAt);
  }
}
