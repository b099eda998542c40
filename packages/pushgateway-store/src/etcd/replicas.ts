/**
 * The agents sharing an etcd prefix, for the push page: each puts its name under <prefix>replicas/ on a
 * lease of ANNOUNCE_TTL_S, renewed every ANNOUNCE_MS, and learns the others' from the store's reads and watch.
 */
import { b64, type EtcdClient } from "./client.ts";

const ANNOUNCE_TTL_S = 10;
const ANNOUNCE_MS = 3000;

export class Replicas {
  readonly prefix: string;
  /** etcd key -> name of each agent announced under the prefix. */
  private readonly announced = new Map<string, string>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `self`: how this agent names itself (host and listen address); none: not announced. */
  constructor(
    private readonly client: EtcdClient,
    storePrefix: string,
    private readonly id: string,
    private readonly self: string | undefined,
  ) {
    this.prefix = `${storePrefix}replicas/`;
  }

  /** Whether `key` is an announcement's. */
  holds(key: string): boolean {
    return key.startsWith(this.prefix);
  }

  /** Notes the announcement read or watched at `key`, one holds() says is; `name` undefined: deleted. */
  note(key: string, name: string | undefined): void {
    if (name === undefined) this.announced.delete(key);
    else this.announced.set(key, name);
  }

  clear(): void {
    this.announced.clear();
  }

  /** The agents that announced themselves within the last ANNOUNCE_TTL_S, sorted. */
  list(): string[] {
    return [...this.announced.values()].sort();
  }

  start(): void {
    if (this.self === undefined) return;
    void this.announce();
    this.timer = setInterval(() => void this.announce(), ANNOUNCE_MS);
    this.timer.unref();
  }

  /** Stops renewing; `leave` then takes the name off at once rather than when the lease runs out. */
  stop(): void {
    clearInterval(this.timer);
  }

  async leave(): Promise<void> {
    if (this.timer) await this.client.call("/v3/kv/deleterange", { key: b64(this.prefix + this.id) }).catch(() => undefined);
  }

  /** Puts this agent's name on a fresh lease; the previous lease runs out on its own. */
  private async announce(): Promise<void> {
    try {
      const lease = await this.client.call<{ ID?: string }>("/v3/lease/grant", { TTL: ANNOUNCE_TTL_S });
      await this.client.call("/v3/kv/put", { key: b64(this.prefix + this.id), value: b64(this.self!), lease: lease.ID });
    } catch {
      // Out of reach: the probe says so; the next round tries again.
    }
  }
}
