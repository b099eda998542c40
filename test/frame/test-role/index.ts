/**
 * A role the binary does not have, written as a new role package would be: its flags, its data directory,
 * its routes and its metrics, through the Role contract alone. It counts the visits to its /visit route and
 * keeps the count in its data directory across restarts.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BadRequest, ConfigError, defineRole, flag } from "../../../packages/core/src/index.ts";

const tallyFlags = {
  greeting: flag.string("tally.greeting", "hello", "Said by GET /visit."),
  step: flag.int("tally.step", 1, "Added to the count by each visit."),
};

export function tallyRole() {
  return defineRole({
    name: "tally",
    title: "Counts visits (a test role)",
    defaultAddress: ":9999",
    flags: tallyFlags,
    dataDir: "tally",
    validate(config) {
      if (config.step < 1) throw new ConfigError(`--tally.step: ${config.step} must be at least 1`);
    },
    async start(ctx) {
      mkdirSync(ctx.dataDir, { recursive: true });
      const file = join(ctx.dataDir, "count");
      let count = Number(readFileSync(file, { encoding: "utf8", flag: "a+" }) || 0);
      return {
        routes: (app) => {
          app.get("/visit", (c) => {
            const times = Number(c.req.query("times") ?? "1");
            if (!Number.isInteger(times) || times < 1) throw new BadRequest(`times: "${c.req.query("times")}" is not a positive whole number`);
            count += times * ctx.config.step;
            writeFileSync(file, String(count));
            return c.text(`${ctx.config.greeting} ${count}\n`);
          });
        },
        collect: (own) => {
          own.counter("tally_visits_total", "Visits counted, times --tally.step.", count);
          return own;
        },
        links: [{ path: "/visit", title: "Visit" }],
        logFields: { count },
      };
    },
    async stop() {},
  });
}
