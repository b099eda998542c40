/**
 * The in-memory side of the store: every group, a per-family index (type and member groups) and the sets of
 * grouping label names in use, so a push is checked in time proportional to the push, not the store. A scrape
 * joins the sample lines each stored family rendered once; no copy of them per family name is kept, since it
 * would hold every pushed line twice between scrapes.
 */
import { renderHeader, renderLabelPairs, renderSeries, suffixesOf, type Collection, type MetricSet, type MetricType, type SampleVisitor } from "@agent/core";
import {
  PUSH_FAILURE_TIME,
  PUSH_FAILURE_TIME_HELP,
  PUSH_TIME,
  PUSH_TIME_HELP,
  type PreparedFamily,
  type StoredFamily,
} from "./families.ts";
import { timestampLine } from "./render-metrics.ts";
import type { Group } from "./group.ts";
import { groupingKey } from "./grouping-key.ts";
import { groupSeriesPairs } from "./grouping.ts";

interface FamilyEntry {
  /** The type every member agrees on (the first member's, should an unchecked push disagree). */
  type: MetricType;
  members: Map<string, StoredFamily>;
}

const SYNTHETIC: ReadonlyMap<string, MetricType> = new Map([
  [PUSH_TIME, "gauge"],
  [PUSH_FAILURE_TIME, "gauge"],
]);

const COMPOSITE_SUFFIXES = ["_count", "_sum", "_bucket"] as const;

/** Whether a family of type `t` writes samples named with `suffix`, so another family of that name would clash. */
function clashes(t: MetricType | undefined, suffix: string): boolean {
  return t !== undefined && suffixesOf(t).includes(suffix);
}

/** The key of the group named by `pairs` (flat) for grouping label names `names`; undefined if it lacks one. */
function keyWithin(pairs: readonly string[], names: readonly string[]): string | undefined {
  const labels: Record<string, string> = {};
  for (const name of names) {
    let p = 0;
    while (p < pairs.length && pairs[p] !== name) p += 2;
    if (p >= pairs.length) return undefined;
    labels[name] = pairs[p + 1]!;
  }
  return groupingKey(labels);
}

export class MemoryIndex {
  private readonly groups = new Map<string, Group>();
  private readonly families = new Map<string, FamilyEntry>();
  /**
   * Each set of grouping label names among the groups (names sorted, joined by NUL), with how many groups
   * have it. A group's labels are on every series it holds, so the only groups that can hold a series are
   * those named by its values for one of these sets: the duplicate check looks there, and no index per
   * series is kept (a store has a few such sets, and many series).
   */
  private readonly shapes = new Map<string, { names: string[]; groups: number }>();
  private timestamps: Record<string, string> | undefined;
  private seriesCount = 0;

  get size(): number {
    return this.groups.size;
  }

  get series(): number {
    return this.seriesCount;
  }

  get(key: string): Group | undefined {
    return this.groups.get(key);
  }

  all(): IterableIterator<Group> {
    return this.groups.values();
  }

  /**
   * Swaps a group's state: `old` (if any) leaves every index, `next` (if any) enters them. A group and
   * the families it keeps stay where they were in scrape order, so a change that stores nothing new
   * (a refused push recording its failure) leaves /metrics byte for byte as it was.
   */
  replace(old: Group | undefined, next: Group | undefined): void {
    if (old) this.unindex(old, next);
    if (next) this.index(next, old);
    this.timestamps = undefined;
  }

  /** Adds `g`; families it shares unchanged with `predecessor` are in the indexes already. */
  private index(g: Group, predecessor: Group | undefined): void {
    this.groups.set(g.key, g);
    if (!predecessor) this.countShape(g, 1);
    for (const f of g.families.values()) {
      if (predecessor?.families.get(f.name) === f) continue;
      this.indexFamily(g, f);
    }
  }

  private countShape(g: Group, delta: 1 | -1): void {
    const names = Object.keys(g.labels).sort();
    const id = names.join("\u0000");
    const shape = this.shapes.get(id) ?? { names, groups: 0 };
    shape.groups += delta;
    if (shape.groups > 0) this.shapes.set(id, shape);
    else this.shapes.delete(id);
  }

  private indexFamily(g: Group, f: StoredFamily): void {
    let e = this.families.get(f.name);
    if (!e) {
      e = { type: f.type, members: new Map() };
      this.families.set(f.name, e);
    } else {
      const other = e.members.values().next().value!;
      if (other !== f) f.shareLabels(other);
    }
    e.members.set(g.key, f);
    e.type = e.members.values().next().value!.type;
    this.seriesCount += f.series;
  }

  /**
   * Start-up: the stored groups enter the indexes. Their families come without rendered lines; those are
   * rendered after start, `slice` groups' per turn of the event loop, so that the first scrape after a
   * restart finds them ready rather than rendering the whole store itself (a scrape before then renders what
   * is left).
   */
  load(groups: readonly Group[], slice = 500): void {
    for (const g of groups) this.index(g, undefined);
    this.timestamps = undefined;
    let next = 0;
    const renderSlice = (): void => {
      for (const end = Math.min(groups.length, next + slice); next < end; next++) {
        const g = groups[next]!;
        // A group pushed to since has its new families rendered with the push.
        if (this.groups.get(g.key) === g) for (const f of g.families.values()) f.renderLines();
      }
      if (next < groups.length) setImmediate(renderSlice);
    };
    if (groups.length > 0) setImmediate(renderSlice);
  }

  /** Takes `g` out of the indexes; entries that `successor` (same key) will overwrite are left in place. */
  private unindex(g: Group, successor: Group | undefined): void {
    if (!successor) {
      this.groups.delete(g.key);
      this.countShape(g, -1);
    }
    for (const f of g.families.values()) {
      if (successor?.families.get(f.name) === f) continue;
      const e = this.families.get(f.name);
      if (e && !successor?.families.has(f.name)) {
        e.members.delete(g.key);
        if (e.members.size === 0) {
          this.families.delete(f.name);
        } else {
          e.type = e.members.values().next().value!.type;
        }
      }
      this.seriesCount -= f.series;
    }
  }

  /**
   * What would be inconsistent if group `key` took these families (all of its families replaced when
   * `replace`), judged as Pushgateway's gathering would: one type per family name across groups and the
   * agent's own families, no histogram/summary suffix clash, no metric stored twice. Undefined if none.
   */
  conflict(key: string, replace: boolean, pushed: readonly PreparedFamily[], ownTypes: ReadonlyMap<string, MetricType>): string | undefined {
    const pushedTypes = new Map(pushed.map(({ family: f }) => [f.name, f.type]));
    const typeAfter = (name: string): MetricType | undefined => {
      const t = pushedTypes.get(name) ?? SYNTHETIC.get(name) ?? ownTypes.get(name);
      if (t) return t;
      const e = this.families.get(name);
      if (!e) return undefined;
      const mine = e.members.has(key);
      if (mine && replace) return this.otherType(e, key);
      return e.type;
    };
    for (const { family: f, identities } of pushed) {
      const own = ownTypes.get(f.name);
      if (own && own !== f.type) return `${f.name} is pushed as ${f.type} but is a ${own} of the agent itself`;
      const e = this.families.get(f.name);
      const other = e && this.otherType(e, key);
      if (other && other !== f.type) return `${f.name} is pushed as ${f.type} but other groups have it as ${other}`;
      for (const suffix of COMPOSITE_SUFFIXES) {
        if (f.name.length > suffix.length && f.name.endsWith(suffix)) {
          const base = f.name.slice(0, -suffix.length);
          const t = typeAfter(base);
          if (clashes(t, suffix)) return `${f.name} collides with the ${t} named ${base}`;
        }
        if (clashes(f.type, suffix) && typeAfter(f.name + suffix)) {
          return `the ${f.type} ${f.name} collides with the metric named ${f.name + suffix}`;
        }
      }
      for (let i = 0; i < identities.length; i++) {
        const pairs = f.labelsOf(i);
        for (const { names } of this.shapes.values()) {
          const owner = keyWithin(pairs, names);
          if (owner === undefined || owner === key) continue;
          if (this.groups.get(owner)?.families.get(f.name)?.holds(identities[i]!)) {
            return `${renderSeries(f.name, renderLabelPairs(pairs))} is already pushed by another group`;
          }
        }
      }
    }
    return undefined;
  }

  /** The type of a family's members other than group `key`; undefined if it has no others. */
  private otherType(e: FamilyEntry, key: string): MetricType | undefined {
    for (const [k, f] of e.members) if (k !== key) return f.type;
    return undefined;
  }

  /** Appends the HELP/TYPE header and every member's lines of type `e.type`; `header` false leaves the header out. */
  private renderFamily(out: string[], name: string, e: FamilyEntry, header: boolean): void {
    const at = out.length;
    if (header) out.push("");
    let help: string | undefined;
    let helpAt = -1;
    for (const f of e.members.values()) {
      if (f.type !== e.type) continue;
      out.push(f.text);
      // Groups may disagree on HELP; the most recent push's wins, so the choice is stable between scrapes.
      if (f.at > helpAt) (help = f.help), (helpAt = f.at);
    }
    if (header) out[at] = renderHeader(name, e.type, help);
  }

  /**
   * push_time_seconds or push_failure_time_seconds: one line per group, rebuilt after any change. Joined
   * rather than appended with +=, which would keep a rope of one string per group alive with the cache.
   */
  private renderTimestamps(name: string): string {
    if (this.timestamps === undefined) {
      const push = [renderHeader(PUSH_TIME, "gauge", PUSH_TIME_HELP)];
      const fail = [renderHeader(PUSH_FAILURE_TIME, "gauge", PUSH_FAILURE_TIME_HELP)];
      for (const g of this.groups.values()) {
        fail.push(timestampLine(PUSH_FAILURE_TIME, g.seriesLabels, g.failTime));
        push.push(timestampLine(PUSH_TIME, g.seriesLabels, g.pushTime));
      }
      this.timestamps = { [PUSH_FAILURE_TIME]: fail.join(""), [PUSH_TIME]: push.join("") };
    }
    return this.timestamps[name] ?? "";
  }

  /**
   * The whole /metrics as values: `own` (the agent's families) merged with every pushed family, one HELP/TYPE
   * per name, in name order. Where a pushed family shares a name with an own family, the own HELP and TYPE
   * stand (as Pushgateway keeps its own help strings) and pushed samples of another type are left out. Read
   * when rendered or visited: the families keep their rendered lines, and no copy of the samples is made.
   */
  collection(own: MetricSet): Collection {
    return { render: () => this.render(own), forEachSample: (visit) => this.forEachSample(own, visit) };
  }

  private namesWith(own: MetricSet): string[] {
    const names = new Set(this.families.keys());
    for (const n of own.names()) names.add(n);
    if (this.groups.size > 0) for (const n of SYNTHETIC.keys()) names.add(n);
    return [...names].sort();
  }

  private render(own: MetricSet): string {
    const out: string[] = [];
    for (const name of this.namesWith(own)) {
      if (SYNTHETIC.has(name)) {
        out.push(this.renderTimestamps(name));
        continue;
      }
      const e = this.families.get(name);
      const builder = own.get(name);
      if (!builder) {
        this.renderFamily(out, name, e!, true);
        continue;
      }
      out.push(builder.render());
      if (e && e.type === builder.type) this.renderFamily(out, name, e, false);
    }
    return out.join("");
  }

  private forEachSample(own: MetricSet, visit: SampleVisitor): void {
    for (const name of this.namesWith(own)) {
      if (SYNTHETIC.has(name)) {
        for (const g of this.groups.values()) visit(name, groupSeriesPairs(g.labels), name === PUSH_TIME ? g.pushTime : g.failTime);
        continue;
      }
      const e = this.families.get(name);
      const builder = own.get(name);
      builder?.forEachSample(visit);
      if (e && (!builder || e.type === builder.type)) for (const f of e.members.values()) if (f.type === e.type) f.forEachSample(visit);
    }
  }
}
