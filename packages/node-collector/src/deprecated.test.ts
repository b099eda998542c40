import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createLogger } from "@agent/core";
import { ntp } from "./collectors/ntp.ts";
import { runit } from "./collectors/runit.ts";
import { supervisord } from "./collectors/supervisord.ts";
import { FIXTURES, instantiate, scrapeText } from "./testing/golden.ts";

describe("deprecated collectors", () => {
  test("warn once, when created, as node_exporter does at start-up, and not again however many scrapes", async () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (l: string) => lines.push(l) });
    instantiate(ntp, { log });
    instantiate(supervisord, { log });
    const r = instantiate(runit, { log, config: { serviceDir: join(FIXTURES, "runit", "service") } });
    expect(lines.length).toBe(3);
    for (const [i, name] of ["ntp", "supervisord", "runit"].entries()) {
      expect(lines[i]).toContain("deprecated");
      expect(lines[i]).toContain(name);
    }
    for (let i = 0; i < 3; i++) await scrapeText(r);
    expect(lines.length).toBe(3);
  });
});
