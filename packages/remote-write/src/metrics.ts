/** Each queue's counters, exposed under Prometheus's own remote-storage metric names. */
import type { MetricSet } from "@agent/core";

export class QueueMetrics {
  samplesSent = 0;
  samplesFailed = 0;
  samplesRetried = 0;
  samplesDropped = 0;
  bytesSent = 0;
  highestSentTimestampMs = 0;
  lastError = "";
  lastErrorTime = 0;
  lastSendTime = 0;

  constructor(
    readonly remoteName: string,
    readonly url: string,
  ) {}
}

/** The collections remote write made, for every receiver at once. */
export interface CollectionCounts {
  taken: number;
  /** Intervals that passed without a collection: the one before still running, or the agent not run at its tick. */
  missed: number;
}

export interface QueueGauges {
  pendingSamples: number;
  queueBytes: number;
  maxBytes: number;
}

/** Adds every queue's metrics to `out`; `highestTimestampMs` is the newest sample queued to any of them. */
export function addRemoteWriteMetrics(
  out: MetricSet,
  queues: ReadonlyArray<{ metrics: QueueMetrics; gauges(): QueueGauges }>,
  highestTimestampMs: number,
  collections: CollectionCounts,
): void {
  out.gauge(
    "prometheus_remote_storage_highest_timestamp_in_seconds",
    "Highest timestamp that has come into the remote storage via the Appender interface, in seconds since epoch.",
    highestTimestampMs / 1000,
  );
  out.counter("agent_remote_write_collections_total", "Collections of every role's metrics taken for remote write, one per remote_write_interval.", collections.taken);
  out.counter(
    "agent_remote_write_collections_missed_total",
    "Intervals that passed without a collection: the one before was still running, or the agent was not run at its tick (a host stall).",
    collections.missed,
  );
  for (const q of queues) {
    const m = q.metrics;
    const g = q.gauges();
    const labels = { remote_name: m.remoteName, url: m.url };
    out.counter("prometheus_remote_storage_samples_total", "Total number of samples sent to remote storage.", m.samplesSent, labels);
    out.counter(
      "prometheus_remote_storage_samples_failed_total",
      "Total number of samples which failed on send to remote storage, non-recoverable errors.",
      m.samplesFailed,
      labels,
    );
    out.counter(
      "prometheus_remote_storage_samples_retried_total",
      "Total number of samples which failed on send to remote storage but were retried because the send error was recoverable.",
      m.samplesRetried,
      labels,
    );
    out.counter(
      "prometheus_remote_storage_samples_dropped_total",
      "Total number of samples which were dropped before being sent: by write_relabel_configs, or the oldest when the queue passed queue_config.max_bytes.",
      m.samplesDropped,
      labels,
    );
    out.gauge("prometheus_remote_storage_samples_pending", "The number of samples pending in the queue's storage to be sent to the remote storage.", g.pendingSamples, labels);
    out.gauge(
      "prometheus_remote_storage_queue_highest_sent_timestamp_seconds",
      "Timestamp from a WAL sample, the highest timestamp successfully sent by this queue, in seconds since epoch.",
      m.highestSentTimestampMs / 1000,
      labels,
    );
    out.counter("prometheus_remote_storage_bytes_total", "The total number of bytes of data (not metadata) sent by the queue after compression.", m.bytesSent, labels);
    out.gauge("prometheus_remote_storage_shards", "The number of shards used for parallel sending to the remote storage.", 1, labels);
    out.gauge("agent_remote_write_queue_bytes", "Bytes of compressed requests waiting in the queue's LMDB storage.", g.queueBytes, labels);
    out.gauge("agent_remote_write_queue_max_bytes", "queue_config.max_bytes: past it the oldest requests are dropped.", g.maxBytes, labels);
  }
}
