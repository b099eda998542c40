/**
 * Peak resident memory of a command's process tree.
 *
 * wait4's ru_maxrss is the right figure for a command larger than agent itself, but not for a smaller one:
 * Bun starts commands with vfork+exec, and Linux carries the peak of the address space a process had before
 * exec (agent's own, tens of MiB) into its ru_maxrss. So below agent's own peak, the figure comes from
 * VmHWM in /proc/<pid>/status of every process in the tree, sampled while the command runs.
 */
import { readFileSync } from "node:fs";

const SAMPLE_EVERY_MS = 100;
const VM_HWM = /^VmHWM:\s+(\d+) kB/m;

/** Peak resident set (KiB) of a process so far, from /proc/<pid>/status. */
function peakKb(pid: number | "self"): number {
  try {
    const m = VM_HWM.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // gone between listing and reading
  }
}

function tree(root: number): number[] {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    try {
      const children = readFileSync(`/proc/${out[i]}/task/${out[i]}/children`, "utf8").trim();
      if (children) for (const p of children.split(" ")) out.push(Number(p));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

export class PeakRssTracker {
  /** agent's own peak when the command starts: what a vfork+exec child inherits in ru_maxrss. */
  private readonly inheritedKb = peakKb("self");
  private sampledKb = 0;
  private timer?: ReturnType<typeof setInterval>;

  start(pid: number): void {
    const sample = () => {
      for (const p of tree(pid)) this.sampledKb = Math.max(this.sampledKb, peakKb(p));
    };
    sample();
    this.timer = setInterval(sample, SAMPLE_EVERY_MS);
  }

  /** Bytes, given wait4's peak RSS once the command has exited (Bun >= 1.4 reports it in bytes). */
  finish(rusageMaxBytes: number): number {
    clearInterval(this.timer);
    const rusageMaxKb = rusageMaxBytes / 1024;
    // A MiB of slack: agent may have grown a little between reading its peak and the exec.
    const kb = rusageMaxKb > this.inheritedKb + 1024 ? rusageMaxKb : this.sampledKb;
    return kb * 1024;
  }
}
