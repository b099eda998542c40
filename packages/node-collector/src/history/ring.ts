/**
 * Bounds: at most MAX_SERIES series of at most MAX_SLOTS float64 points, whatever the host has, so the node
 * page's history cannot grow with the number of devices or mounts.
 */
export const MAX_SERIES = 128;
export const MAX_SLOTS = 300;

/** Fixed-size rings of float64 points, one per series key, all sharing one clock. */
export class HistoryRing {
  private readonly rings = new Map<string, Float64Array>();
  /** Index of the next slot to write. */
  private head = 0;
  private filled = 0;

  constructor(
    readonly slots: number,
    readonly maxSeries = MAX_SERIES,
  ) {}

  /** Appends one point per series; a known series missing here gets a gap, new ones beyond the cap are not kept. */
  push(values: ReadonlyMap<string, number>): void {
    for (const [key, ring] of this.rings) ring[this.head] = values.get(key) ?? NaN;
    for (const [key, v] of values) {
      if (this.rings.has(key) || this.rings.size >= this.maxSeries) continue;
      const ring = new Float64Array(this.slots).fill(NaN);
      ring[this.head] = v;
      this.rings.set(key, ring);
    }
    this.head = (this.head + 1) % this.slots;
    this.filled = Math.min(this.filled + 1, this.slots);
    // A series with no point left in the window (an unmounted filesystem) gives its place back.
    for (const [key, ring] of this.rings) if (ring.every((v) => Number.isNaN(v))) this.rings.delete(key);
  }

  /** The points of `key`, oldest first (as many as samples so far); empty if unknown. */
  series(key: string): number[] {
    const ring = this.rings.get(key);
    if (!ring) return [];
    const out: number[] = [];
    for (let i = this.filled; i > 0; i--) out.push(ring[(this.head - i + this.slots) % this.slots]!);
    return out;
  }

  get size(): number {
    return this.rings.size;
  }

  get bytes(): number {
    return this.rings.size * this.slots * 8;
  }
}

