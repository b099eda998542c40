/**
 * Remote write from every role: each role's /metrics collection is taken in-process every
 * `remote_write_interval`, its values turned into the samples a scrape would store, marked stale where series went
 * away, relabelled per receiver, and queued on disk for that receiver's sender. Nothing of this exists
 * when no `remote_write` is configured.
 */
import { hostname } from "node:os";
import { join } from "node:path";
import { addProcessMetrics, buildInfo, ConfigError, MetricSet, type AgentInfo, type Collection, type Logger, type PageSection, type RoleService } from "@agent/core";
import type { RemoteWriteConfig, RemoteWriteSettings } from "./config.ts";
import { addRemoteWriteMetrics, QueueMetrics, type CollectionCounts } from "./metrics.ts";
import { queuesBody, remoteWritePage } from "./page.ts";
import { DiskQueue, type Batch } from "./queue.ts";
import { relabel } from "./relabel.ts";
import { Sender } from "./sender.ts";
import { flatLabels, seriesFromCollection, seriesKey, type Series } from "./series.ts";
import { StalenessTracker } from "./staleness.ts";
import { encodeBody } from "./wire.ts";

export { remoteWriteFlags, type RemoteWriteSettings } from "./config.ts";

export interface RemoteWriteOptions {
  settings: RemoteWriteSettings;
  /** `<storage.path>`; queues live under its `remote-write/`. */
  storagePath: string;
  log: Logger;
  agent: AgentInfo;
  /** Every role the agent knows, for checking `remote_write_targets`. */
  knownRoles: readonly string[];
  /** The enabled roles, in --roles order, and the port each listens on. */
  roles: ReadonlyArray<RoleSource>;
}

/** What remote write needs to know of an enabled role (Role's fields of the same names). */
export interface RoleSource {
  name: string;
  port: number;
  honorLabels?: boolean;
  hostsSharedPages?: boolean;
}

interface Queue {
  config: RemoteWriteConfig;
  queue: DiskQueue;
  sender: Sender;
  metrics: QueueMetrics;
  gauges(): { pendingSamples: number; queueBytes: number; maxBytes: number };
}

interface Source {
  role: string;
  /** As the frame serves it, so what is sent is what /metrics shows. */
  service?: RoleService;
  target: Record<string, string>;
  honorLabels: boolean;
  staleness: StalenessTracker;
}

/** Splits into requests of at most `max` samples, relabelled for this receiver; counts what relabelling drops. */
function batchesFor(series: readonly Series[], q: Queue): Batch[] {
  const rules = q.config.writeRelabel;
  const max = q.config.queue.maxSamplesPerSend;
  const out: Batch[] = [];
  let chunk: Series[] = [];
  let highest = 0;
  const flush = () => {
    out.push({ body: encodeBody(chunk), samples: chunk.length, highestTimestampMs: highest });
    chunk = [];
    highest = 0;
  };
  for (const s of series) {
    let kept = s;
    if (rules.length > 0) {
      const map = new Map<string, string>();
      for (let i = 0; i < s.labels.length; i += 2) map.set(s.labels[i]!, s.labels[i + 1]!);
      if (!relabel(map, rules)) {
        q.metrics.samplesDropped++;
        continue;
      }
      const labels = flatLabels(map);
      kept = { ...s, labels, key: seriesKey(labels) };
    }
    chunk.push(kept);
    if (kept.timestampMs > highest) highest = kept.timestampMs;
    if (chunk.length >= max) flush();
  }
  if (chunk.length > 0) flush();
  return out;
}

export class RemoteWrite {
  private readonly sources = new Map<string, Source>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private gathering = false;
  private readonly collections: CollectionCounts = { taken: 0, missed: 0 };
  /** When the last collection was taken, for counting the intervals that passed without one. */
  private lastCollectionMs = 0;
  /** The newest collection until it is queued; stop() waits for it. */
  private collecting: Promise<void> = Promise.resolve();
  private highestTimestampMs = 0;
  /** The role whose /metrics and address carry the remote-write metrics and page (Role.hostsSharedPages). */
  private readonly home: string;

  private constructor(
    private readonly opts: RemoteWriteOptions,
    private readonly queues: Queue[],
  ) {
    const { settings, roles } = opts;
    this.home = (roles.find((r) => r.hostsSharedPages) ?? roles[0]!).name;
    for (const r of roles) {
      const t = settings.targets[r.name] ?? {};
      this.sources.set(r.name, {
        role: r.name,
        target: { job: t.job ?? r.name, instance: t.instance ?? `${hostname()}:${r.port}` },
        honorLabels: r.honorLabels === true,
        staleness: new StalenessTracker(),
      });
    }
  }

  /** Opens every receiver's queue; undefined when `remote_write` is empty. */
  static async open(opts: RemoteWriteOptions): Promise<RemoteWrite | undefined> {
    const { settings } = opts;
    for (const role of Object.keys(settings.targets)) {
      if (!opts.knownRoles.includes(role)) throw new ConfigError(`remote_write_targets: unknown role "${role}" (known: ${opts.knownRoles.join(", ")})`);
    }
    if (settings.remoteWrite.length === 0) return undefined;
    if (!(settings.interval > 0)) throw new ConfigError("--remote_write_interval: must be above 0");
    const queues: Queue[] = [];
    try {
      for (const config of settings.remoteWrite) {
        const queue = await DiskQueue.open(join(opts.storagePath, "remote-write", config.name), config.queue.maxBytes);
        const metrics = new QueueMetrics(config.name, config.url);
        queue.onDrop = (samples) => {
          metrics.samplesDropped += samples;
          opts.log.warn("remote-write queue full; dropped the oldest samples", { remote_name: config.name, samples });
        };
        queue.onRemoveError = (e) =>
          opts.log.error("remote-write queue: removing a finished request failed; it is sent again after a restart", { remote_name: config.name, err: e.message });
        const log = opts.log.child({ remote_name: config.name, url: config.url });
        const sender = new Sender(config, queue, metrics, log, `agent/${opts.agent.version}`);
        queues.push({
          config,
          queue,
          sender,
          metrics,
          gauges: () => ({ pendingSamples: queue.pendingSamples, queueBytes: queue.bytes, maxBytes: config.queue.maxBytes }),
        });
      }
    } catch (e) {
      await Promise.allSettled(queues.map((q) => q.queue.close()));
      throw e;
    }
    return new RemoteWrite(opts, queues);
  }

  /** The role's service as the frame should serve it: the home role also serves the queues' metrics and page. */
  wrap(role: string, service: RoleService): RoleService {
    const source = this.sources.get(role);
    const served: RoleService = role !== this.home ? service : {
      ...service,
      routes: (app) => {
        service.routes?.(app);
        remoteWritePage(app, { role, agent: this.opts.agent, queues: this.queues, intervalSeconds: this.opts.settings.interval });
      },
      collect: (own, scrape) => {
        addRemoteWriteMetrics(own, this.queues, this.highestTimestampMs, this.collections);
        return service.collect(own, scrape);
      },
      links: [...(service.links ?? []), { path: "/remote-write", title: "Remote write" }],
    };
    if (source) source.service = served;
    return served;
  }

  /** For the role's context: the home role's own page shows the queues too. */
  pageSections(role: string): PageSection[] {
    if (role !== this.home) return [];
    return [{ id: "remote-write", title: "Remote write", body: queuesBody(this.queues, this.opts.settings.interval) }];
  }

  /** Starts the senders (queued requests from before a restart go out at once) and the collection timer. */
  start(): void {
    for (const q of this.queues) q.sender.start();
    const intervalMs = this.opts.settings.interval * 1000;
    const tick = () => {
      // A role still being collected (a slow collector) is not collected twice; the interval counts as missed.
      if (this.gathering) return;
      const now = Date.now();
      // Intervals that passed without a collection: skipped above, or the agent did not run at its tick
      // (the host stalled it). Counted so that a gap at the receiver can be told from a loss.
      if (this.lastCollectionMs > 0) this.collections.missed += Math.max(0, Math.round((now - this.lastCollectionMs) / intervalMs) - 1);
      this.lastCollectionMs = now;
      this.gathering = true;
      this.collecting = this.gather()
        .finally(() => (this.gathering = false))
        .then((all) => this.enqueue(all))
        // A queue that cannot be written (disk full) loses this collection, not the agent.
        .catch((e: Error) => this.opts.log.error("remote write: queueing a collection failed", { err: e.message }));
    };
    tick();
    this.timer = setInterval(tick, intervalMs);
  }

  private collect(service: RoleService): Collection | Promise<Collection> {
    const own = new MetricSet();
    addProcessMetrics(own);
    buildInfo(own, this.opts.agent);
    return service.collect(own);
  }

  /** One collection of every role, with the stale markers for what disappeared since the last. */
  private async gather(): Promise<Series[]> {
    const all: Series[] = [];
    for (const source of this.sources.values()) {
      const service = source.service;
      if (!service) continue;
      const now = Date.now();
      let series: Series[] = [];
      try {
        series = seriesFromCollection(await this.collect(service), now, {
          target: source.target,
          honorLabels: source.honorLabels,
          externalLabels: this.opts.settings.externalLabels,
          // Series go out with classic names, as a scrape that asks for no escaping scheme gets them.
          escapeNames: service.utf8Names,
        });
      } catch (e) {
        // As after a failed scrape: everything the role had goes stale.
        this.opts.log.warn("remote write: collecting a role failed", { role: source.role, err: (e as Error).message });
      }
      for (const s of series) all.push(s);
      for (const s of source.staleness.update(series, now)) all.push(s);
      if (now > this.highestTimestampMs && series.length > 0) this.highestTimestampMs = now;
    }
    this.collections.taken++;
    return all;
  }

  /**
   * Queues a collection for every receiver and wakes their senders once it is committed. Collections made
   * while a write is under way share the next one (DiskQueue.append), so none waits for another's sync.
   */
  private async enqueue(all: readonly Series[]): Promise<void> {
    await Promise.all(
      this.queues.map(async (q) => {
        await q.queue.append(batchesFor(all, q));
        q.sender.wake();
      }),
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.collecting;
    await Promise.allSettled(this.queues.map((q) => q.sender.stop()));
    await Promise.allSettled(this.queues.map((q) => q.queue.close()));
  }
}
