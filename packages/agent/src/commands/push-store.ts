/**
 * `agent push-store check|salvage|copy`: offline tools for the push role's store. check and salvage are for
 * when the agent refuses to start on a damaged LMDB store; neither lets LMDB map the damaged file, so neither
 * can crash on it. copy moves the groups between LMDB and etcd.
 */
import { ConfigError } from "@agent/core";
import { basename, dirname } from "node:path";
import {
  checkStoreFile,
  copyStore,
  damagedAdvice,
  GroupDb,
  parseStoreSpec,
  refuseIfInUse,
  salvageStore,
  STORE_FILE,
  storeFile,
  type EtcdAccess,
} from "@agent/pushgateway-store";

const USAGE = `Usage: agent push-store check PATH
       agent push-store salvage PATH --to NEW_DIR
       agent push-store copy --from STORE --to STORE [--etcd.prefix=/agent/push/] [--etcd.tls-ca-file=F]
                             [--etcd.tls-cert-file=F --etcd.tls-key-file=F]
PATH is a push data directory (<storage.path>/push) or the push.mdb in it; the agent must not be running on it.
  check     reads every page the agent would read, without LMDB, then (when they are whole) loads every
            group as the agent does; exit 0 when the store is whole, 1 when it is damaged (each fault is
            printed) or cannot be read.
  salvage   copies every group that can still be read into a new store in NEW_DIR (which must not hold one),
            falling back on LMDB's previous snapshot where the newest is unreadable; prints what was copied
            and what was lost. Start the agent on it by putting NEW_DIR in place of <storage.path>/push.
            Exit 0 when the new store is written, 1 when it cannot be.
  copy      copies every group from one store to another that holds none yet; a STORE is lmdb:PATH or
            etcd:URL[,URL...] (as --push.etcd.endpoints). No agent may be writing to either meanwhile.
            Exit 0 when every group is copied, 1 when not.`;

const ETCD_FLAGS = ["--etcd.prefix", "--etcd.tls-ca-file", "--etcd.tls-cert-file", "--etcd.tls-key-file"] as const;

async function copy(args: string[]): Promise<number> {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!;
    const eq = w.indexOf("=");
    const name = eq > 0 ? w.slice(0, eq) : w;
    if (name !== "--from" && name !== "--to" && !(ETCD_FLAGS as readonly string[]).includes(name)) throw new ConfigError(`copy: unknown argument ${w}`);
    const value = eq > 0 ? w.slice(eq + 1) : args[++i];
    if (!value) throw new ConfigError(`${name} needs a value`);
    values.set(name, value);
  }
  const from = values.get("--from");
  const to = values.get("--to");
  if (!from || !to) throw new ConfigError("copy needs --from STORE and --to STORE");
  let specs;
  try {
    specs = [parseStoreSpec(from), parseStoreSpec(to)] as const;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
  const etcd: EtcdAccess = {
    prefix: values.get("--etcd.prefix") ?? "/agent/push/",
    caFile: values.get("--etcd.tls-ca-file"),
    certFile: values.get("--etcd.tls-cert-file"),
    keyFile: values.get("--etcd.tls-key-file"),
  };
  if (!etcd.prefix.endsWith("/")) throw new ConfigError(`--etcd.prefix: "${etcd.prefix}" must end with /`);
  const n = await copyStore(specs[0], specs[1], etcd);
  process.stdout.write(`copied ${n} groups from ${from} to ${to}\n`);
  return 0;
}

/**
 * Loads every group as the push role does at start-up; the pages are known to be whole by now. A store that
 * cannot be opened for writing (read-only media, a full disk) is not damaged for that: the records go unread.
 */
async function loadFaults(file: string): Promise<string[]> {
  let db: GroupDb;
  try {
    db = await GroupDb.open(dirname(file));
  } catch (e) {
    process.stdout.write(`${file}: pages whole, records not decoded: ${(e as Error).message}\n`);
    return [];
  }
  try {
    await db.loadAll();
    return [];
  } catch (e) {
    return [(e as Error).message.split(". Move it aside")[0]!];
  } finally {
    await db.close();
  }
}

async function check(path: string): Promise<number> {
  const file = storeFile(path);
  refuseIfInUse(file);
  const h = checkStoreFile(file);
  if (h.problems.length === 0 && h.size > 0 && basename(file) === STORE_FILE) h.problems.push(...(await loadFaults(file)));
  if (h.size === 0) {
    process.stdout.write(`${file}: no store yet (missing or empty); the agent will create one\n`);
    return 0;
  }
  if (h.problems.length === 0) {
    process.stdout.write(
      `${file}: healthy: ${h.records} records (one is the format marker) in snapshot ${h.meta!.txnid}, ${h.size} bytes in ${h.meta!.pageSize}-byte pages\n`,
    );
    return 0;
  }
  process.stdout.write(`${file}: damaged\n${h.problems.map((p) => `  ${p}\n`).join("")}${damagedAdvice(dirname(file))}\n`);
  return 1;
}

async function salvage(path: string, to: string): Promise<number> {
  const r = await salvageStore(path, to);
  const lines = [`salvaged ${r.groups} groups from ${r.source} into ${r.target}`];
  if (r.fromOlderSnapshot > 0) lines.push(`  ${r.fromOlderSnapshot} of them from the previous snapshot, where the newest was unreadable`);
  if (r.fromLoosePages > 0) {
    lines.push(`  ${r.fromLoosePages} of them from pages neither snapshot reaches (each the newest copy found; it may be older than the lost one)`);
  }
  for (const u of r.unreadable) lines.push(`  unreadable: ${u}`);
  for (const s of r.skipped) lines.push(`  skipped: ${s}`);
  process.stdout.write(lines.join("\n") + "\n");
  return 0;
}

export async function runPushStoreCommand(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  try {
    const [sub, ...rest] = argv;
    if (sub === "copy") return await copy(rest);
    const words: string[] = [];
    let to: string | undefined;
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i]!;
      if (w === "--to") to = rest[++i];
      else if (w.startsWith("--to=")) to = w.slice(5);
      else if (w.startsWith("-")) throw new ConfigError(`unknown flag ${w}`);
      else words.push(w);
      if (to === "") throw new ConfigError("--to needs a directory");
    }
    if (sub !== "check" && sub !== "salvage") throw new ConfigError(sub ? `unknown subcommand "${sub}"` : "name a subcommand: check, salvage or copy");
    if (words.length !== 1) throw new ConfigError(`${sub} takes one PATH`);
    if (sub === "check") {
      if (to !== undefined) throw new ConfigError("check takes no --to");
      return await check(words[0]!);
    }
    if (to === undefined) throw new ConfigError("salvage needs --to NEW_DIR");
    return await salvage(words[0]!, to);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`agent push-store: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`agent push-store: ${(e as Error).message}\n`);
    return 1;
  }
}
