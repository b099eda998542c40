/**
 * Reads Pushgateway's `--persistence.file`: one gob-encoded GroupingKeyToMetricGroup, a map of
 * MetricGroup{Labels map[string]string; Metrics map[string]TimestampedMetricFamily}, where each
 * TimestampedMetricFamily is {Timestamp time.Time; GobbableMetricFamily}, the family as protobuf bytes
 * (a GobEncoder) with the grouping labels already on every metric. push_time_seconds and
 * push_failure_time_seconds are families there; here they become the group's push and failure times.
 * The file is only read, never written: importPersistenceFile brings it into an empty store once.
 */
import { ConfigError, decodeDelimited, type Logger, type MetricFamily } from "@agent/core";
import { decodeGob, GobError, type GobStruct, type GobValue } from "./gob.ts";
import { PUSH_FAILURE_TIME, PUSH_TIME, type StoredFamily } from "./families.ts";
import { groupSeriesLabels, prepareFamilies } from "./grouping.ts";
import { groupingKey, type GroupLabels } from "./grouping-key.ts";
import type { Group } from "./group.ts";
import type { GroupStorage } from "./group-storage.ts";
import type { TtlPolicy } from "./ttl.ts";

/** Seconds from 0001-01-01 (Go's time zero) to the Unix epoch. */
const GO_EPOCH_TO_UNIX = 62135596800n;

/** time.Time's MarshalBinary form: version, int64 seconds since year 1, int32 nanoseconds, zone offset. */
function goTimeMs(bytes: Uint8Array): number {
  if (bytes.length < 13 || (bytes[0] !== 1 && bytes[0] !== 2)) throw new GobError("a timestamp is not a Go time.Time");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seconds = view.getBigInt64(1) - GO_EPOCH_TO_UNIX;
  return Number(seconds) * 1000 + Math.floor(view.getInt32(9) / 1e6);
}

function isStruct(v: GobValue | undefined): v is GobStruct {
  return typeof v === "object" && v !== null && !(v instanceof Map) && !(v instanceof Uint8Array) && !Array.isArray(v);
}

/** One protobuf MetricFamily message -> the family, through the delimited decoder (a length varint first). */
function decodeFamily(message: Uint8Array): MetricFamily | undefined {
  const prefix: number[] = [];
  let n = message.length;
  while (n >= 0x80) {
    prefix.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  prefix.push(n);
  const framed = new Uint8Array(prefix.length + message.length);
  framed.set(prefix);
  framed.set(message, prefix.length);
  return decodeDelimited(framed)[0];
}

/** The value of a push_time_seconds-style family: one gauge sample. */
function timeOf(family: MetricFamily | undefined): number {
  return family?.samples[0]?.value ?? 0;
}

function toGroup(raw: GobValue): Group {
  if (!isStruct(raw) || !(raw.Labels instanceof Map) || !(raw.Metrics instanceof Map)) throw new GobError("a group is not a MetricGroup");
  const labels: Record<string, string> = {};
  for (const k of [...raw.Labels.keys()].map(String).sort()) labels[k] = String(raw.Labels.get(k));
  if (!labels.job) throw new GobError("a group has no job label");
  const families = new Map<string, StoredFamily>();
  let pushTime = 0;
  let failTime = 0;
  let createdAt = Infinity;
  for (const [name, tmf] of raw.Metrics) {
    if (!isStruct(tmf) || !(tmf.Timestamp instanceof Uint8Array)) throw new GobError(`family ${String(name)} is not a TimestampedMetricFamily`);
    const bytes = tmf.GobbableMetricFamily;
    if (!(bytes instanceof Uint8Array)) {
      throw new GobError(`family ${String(name)} is not stored as protobuf bytes (a Pushgateway older than 1.0 wrote this file)`);
    }
    const at = goTimeMs(tmf.Timestamp);
    createdAt = Math.min(createdAt, at);
    const family = decodeFamily(bytes);
    if (name === PUSH_TIME) pushTime = timeOf(family);
    else if (name === PUSH_FAILURE_TIME) failTime = timeOf(family);
    else if (family) {
      for (const { family: stored } of prepareFamilies([family], labels, at)) families.set(stored.name, stored);
    }
  }
  return {
    key: groupingKey(labels),
    labels: labels as GroupLabels,
    seriesLabels: groupSeriesLabels(labels),
    families,
    pushTime,
    failTime,
    // Pushgateway keeps no failure message on disk.
    failReason: undefined,
    createdAt: Number.isFinite(createdAt) ? createdAt : Date.now(),
    ttl: 0,
    expiresAt: 0,
  };
}

/** Every group in a Pushgateway persistence file. Throws GobError (or ParseError) on a file it cannot read. */
export function readPersistenceFile(bytes: Uint8Array): Group[] {
  const top = decodeGob(bytes);
  if (!(top instanceof Map)) throw new GobError("the file does not hold a map of groups");
  return [...top.values()].map(toGroup);
}

/**
 * Brings the groups of Pushgateway's persistence file into an empty store; a missing file is nothing to
 * import. Each group gets the TTL its labels call for, counted from its last push, as if pushed here.
 */
export async function importPersistenceFile(db: GroupStorage, path: string, policy: TtlPolicy, log: Logger): Promise<Group[]> {
  const file = Bun.file(path);
  if (!(await file.exists())) {
    log.info("no Pushgateway persistence file to import", { file: path });
    return [];
  }
  let groups: Group[];
  try {
    groups = readPersistenceFile(new Uint8Array(await file.arrayBuffer()));
  } catch (e) {
    throw new ConfigError(`--persistence.file: cannot import ${path}: ${(e as Error).message}`);
  }
  groups = groups.map((g) => {
    const ttl = policy.ttlFor(g.labels, undefined);
    const lastPushMs = (g.pushTime || g.failTime) * 1000 || g.createdAt;
    return ttl > 0 ? { ...g, ttl, expiresAt: lastPushMs + ttl * 1000 } : g;
  });
  await Promise.all(groups.map((g) => db.save(g)));
  log.info("imported Pushgateway persistence file", { file: path, groups: groups.length });
  return groups;
}
