/**
 * A file of one `key value` line per field whose keys the kernel prints in the same order on every read
 * (meminfo, snmp6). The last read's keys are checked in place against the next, so a scrape makes no string
 * per line; a file whose keys changed (a module added fields) is read the slow way and becomes the layout.
 */
export class KeyedLines<T> {
  /** Each line's key with the character that ends it (`MemTotal:`), in file order. */
  private prefixes: string[] = [];
  private plans: (T | null)[] = [];
  /** Where each line of the text being read starts and ends, noted by matches(). */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /**
   * `keyEnd(text, lineStart, lineEnd)`: where the line's key ends (the index of its terminator), or -1 for a
   * line without one. `planOf(key, line)`: what a key becomes, or null when it is not wanted; it sees the
   * whole line for what else fixes the meaning of the value (meminfo's unit).
   */
  constructor(
    private readonly keyEnd: (text: string, lineStart: number, lineEnd: number) => number,
    private readonly planOf: (key: string, line: string) => T | null,
  ) {}

  /** Calls `emit(plan, valueStart, lineEnd)` for each wanted line of `text`, in file order. */
  each(text: string, emit: (plan: T, valueStart: number, lineEnd: number) => void): void {
    if (this.matches(text)) {
      for (let k = 0; k < this.plans.length; k++) {
        const plan = this.plans[k];
        if (plan === null || plan === undefined) continue;
        emit(plan, this.starts[k]! + this.prefixes[k]!.length, this.ends[k]!);
      }
      return;
    }
    this.prefixes = [];
    this.plans = [];
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = text.length;
      const stop = this.keyEnd(text, pos, end);
      if (stop > pos) {
        const plan = this.planOf(text.slice(pos, stop), text.slice(pos, end));
        this.prefixes.push(text.slice(pos, stop + 1));
        this.plans.push(plan);
        if (plan !== null) emit(plan, stop + 1, end);
      }
      pos = end + 1;
    }
  }

  /** Whether `text` has the layout's keys, line for line; notes where each line starts and ends. */
  private matches(text: string): boolean {
    if (this.prefixes.length === 0) return false;
    let pos = 0;
    for (let k = 0; k < this.prefixes.length; k++) {
      if (!text.startsWith(this.prefixes[k]!, pos)) return false;
      const end = text.indexOf("\n", pos);
      this.starts[k] = pos;
      this.ends[k] = end < 0 ? text.length : end;
      pos = this.ends[k]! + 1;
    }
    return pos >= text.length;
  }
}
