import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { cleanExecutableMappings, releaseStartupPages } from "./startup-pages.ts";

const block = (range: string, perms: string, path: string, rss: number, anon: number) =>
  `${range} ${perms} 00000000 fe:00 42                         ${path}\nSize:  100 kB\nRss:   ${rss} kB\nAnonymous:  ${anon} kB\nVmFlags: rd mr mw me\n`;

test("only the executable's read-only mappings that hold no private copies are chosen", () => {
  const smaps = [
    block("00200000-01a39000", "r--p", "/opt/agent", 8548, 0),
    block("01a40000-0684a000", "r-xp", "/opt/agent", 32840, 0),
    block("0684a000-0685f000", "rw-p", "/opt/agent", 84, 84),
    // RELRO: read-only now, but relocated at start, so its pages are private copies.
    block("0685f000-06867000", "r--p", "/opt/agent", 32, 12),
    block("7f25913b8000-7f259150e000", "r-xp", "/usr/lib/x86_64-linux-gnu/libc.so.6", 1112, 0),
    block("51b0f600000-51b4f600000", "rw-p", "", 9336, 9336),
    block("06900000-06a00000", "r-xp", "/opt/agent (deleted)", 10, 0),
  ].join("");
  const chosen = cleanExecutableMappings(smaps, "/opt/agent");
  expect(chosen).toEqual([
    { start: 0x200000n, end: 0x1a39000n, rssKiB: 8548 },
    { start: 0x1a40000n, end: 0x684a000n, rssKiB: 32840 },
  ]);
});

test("releasing the test process's own clean pages shrinks their resident part, and the process runs on", () => {
  const resident = () => cleanExecutableMappings(readFileSync("/proc/self/smaps", "latin1"), process.execPath);
  const before = resident();
  const r = releaseStartupPages();
  expect(r).not.toBeNull();
  expect(r!.mappings).toBe(before.length);
  // What runs from here on faults its pages in again from the page cache: far fewer than start-up left.
  const after = resident();
  const sum = (ms: { rssKiB: number }[]) => ms.reduce((a, m) => a + m.rssKiB, 0);
  expect(sum(after)).toBeLessThan(sum(before) / 2);
});
