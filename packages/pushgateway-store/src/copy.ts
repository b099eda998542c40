/**
 * Copies every group from one push store to another: an LMDB directory to an etcd cluster to move a
 * single agent onto shared storage, or back. The target must hold no groups yet, so nothing there is
 * overwritten or merged; the source is only read.
 */
import { createLogger } from "@agent/core";
import { EtcdGroupStore } from "./etcd-store.ts";
import { GroupDb } from "./group-db.ts";
import type { GroupStorage } from "./group-storage.ts";
import type { Group } from "./group.ts";
import { storeFile } from "./store-check.ts";
import { dirname } from "node:path";

/** `lmdb:<data dir>` or `etcd:<endpoint>,<endpoint>...` */
export type StoreSpec = { kind: "lmdb"; dir: string } | { kind: "etcd"; endpoints: string[] };

/** What an etcd side needs besides its endpoints. */
export interface EtcdAccess {
  prefix: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** Parses `lmdb:PATH` or `etcd:URL,URL`; throws an Error saying what is wrong. */
export function parseStoreSpec(spec: string): StoreSpec {
  const colon = spec.indexOf(":");
  const kind = spec.slice(0, colon);
  const rest = spec.slice(colon + 1);
  if (colon > 0 && kind === "lmdb" && rest !== "") return { kind, dir: dirname(storeFile(rest)) };
  if (colon > 0 && kind === "etcd") {
    const endpoints = rest.split(",").filter((e) => e !== "");
    if (endpoints.length > 0 && endpoints.every((e) => /^https?:\/\/[^/]+$/.test(e))) return { kind, endpoints };
  }
  return fail(`"${spec}" is neither lmdb:PATH nor etcd:http(s)://HOST:PORT[,...]`);
}

function fail(message: string): never {
  throw new Error(message);
}

async function open(spec: StoreSpec, etcd: EtcdAccess): Promise<{ store: GroupStorage; groups: Group[] }> {
  if (spec.kind === "lmdb") {
    const db = await GroupDb.open(spec.dir);
    try {
      return { store: db, groups: await db.loadAll() };
    } catch (e) {
      await db.close();
      throw e;
    }
  }
  const store = new EtcdGroupStore({ endpoints: spec.endpoints, ...etcd, log: createLogger({ write: () => {} }) });
  return { store, groups: await store.loadAll() };
}

/** Copies every group of `from` into `to`; returns how many. */
export async function copyStore(from: StoreSpec, to: StoreSpec, etcd: EtcdAccess): Promise<number> {
  const source = await open(from, etcd);
  try {
    const target = await open(to, etcd);
    try {
      if (target.groups.length > 0) fail(`${target.store.kind} ${target.store.location} holds ${target.groups.length} groups already; copy into an empty store`);
      for (const g of source.groups) await target.store.save(g);
      return source.groups.length;
    } finally {
      await target.store.close();
    }
  } finally {
    await source.store.close();
  }
}
