// A damaged push.mdb, a full disk or an unwritable data directory: dist/agent exits 1 naming the file or
// directory and what to do, never dies of a signal; `agent push-store check` tells damage apart and
// `agent push-store salvage` copies out what is readable into a store the agent starts on.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync, truncateSync, writeSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";
import { freePort, runAgent, startAgent, type CliRun } from "../harness/index.ts";

setDefaultTimeout(120_000);

const GROUPS = 150;
let dir: string;
let good: string;
/** group path -> its served sample lines, from the healthy store */
const original = new Map<string, string>();

/** A group's lines as served, keyed by its job and instance. */
function groupsOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of parseText(text)) {
    if (f.name !== "damage_payload") continue;
    for (const s of f.samples) {
      const id = `${s.labels.job}/${s.labels.instance}`;
      out.set(id, (out.get(id) ?? "") + `${s.labels.i}=${s.value};`);
    }
  }
  return out;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "push-damage-"));
  mkdirSync(join(dir, "healthy"));
  const agent = await startAgent({ roles: ["push"], storagePath: join(dir, "healthy") });
  try {
    // Enough groups for a two-level tree, with records large enough for overflow pages.
    for (let g = 0; g < GROUPS; g++) {
      let body = "# TYPE damage_payload gauge\n";
      for (let i = 0; i < 40; i++) body += `damage_payload{i="${i}",pad="${"x".repeat(40)}"} ${g * 1000 + i}\n`;
      expect((await fetch(`${agent.urls.push}/metrics/job/damage/instance/g${g}`, { method: "PUT", body })).status).toBe(200);
    }
    for (const [k, v] of groupsOf(await fetch(`${agent.urls.push}/metrics`).then((r) => r.text()))) original.set(k, v);
  } finally {
    expect(await agent.stop()).toBe(0);
  }
  good = join(dir, "healthy", "push", "push.mdb");
  expect(original.size).toBe(GROUPS);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A storage path whose push store is a copy of the healthy one, damaged by `harm`. */
function damaged(name: string, harm: (file: string) => void): string {
  const storage = join(dir, name);
  mkdirSync(join(storage, "push"), { recursive: true });
  const file = join(storage, "push", "push.mdb");
  copyFileSync(good, file);
  harm(file);
  return storage;
}

function overwrite(file: string, offset: number, bytes: Uint8Array): void {
  const fd = openSync(file, "r+");
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
}

async function startOn(storage: string): Promise<CliRun> {
  return runAgent(["--roles", "push", `--push.listen-address=127.0.0.1:${await freePort()}`, `--storage.path=${storage}`]);
}

function expectRefused(run: CliRun, file: string): void {
  expect(run.signal).toBeNull();
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(file);
  expect(run.stderr).toContain("damaged");
  expect(run.stderr).toContain("agent push-store salvage");
}

/** Salvages `storage` into a new directory, starts the agent on it and returns what it serves. */
async function salvageAndServe(storage: string): Promise<{ salvage: CliRun; served: Map<string, string> }> {
  const target = `${storage}-salvaged`;
  mkdirSync(target);
  const salvage = await runAgent(["push-store", "salvage", join(storage, "push"), "--to", join(target, "push")]);
  expect(salvage.signal).toBeNull();
  expect(salvage.code).toBe(0);
  expect((await runAgent(["push-store", "check", join(target, "push")])).code).toBe(0);
  const agent = await startAgent({ roles: ["push"], storagePath: target });
  try {
    return { salvage, served: groupsOf(await fetch(`${agent.urls.push}/metrics`).then((r) => r.text())) };
  } finally {
    expect(await agent.stop()).toBe(0);
  }
}

test("check says a healthy store is healthy", async () => {
  const run = await runAgent(["push-store", "check", join(dir, "healthy", "push")]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`healthy: ${GROUPS + 1} records`);
});

test("a truncated push.mdb is refused with exit 1 naming it; check exits 1", async () => {
  const storage = damaged("truncated", (f) => truncateSync(f, Math.floor(statSync(f).size / 2)));
  const file = join(storage, "push", "push.mdb");
  expectRefused(await startOn(storage), file);
  const check = await runAgent(["push-store", "check", file]);
  expect(check.code).toBe(1);
  expect(check.stdout).toContain("outside the file");
  // The root and most leaves lie in the cut-off half; the records' overflow runs in the first half still say
  // which group they are. Whatever comes back must be as it was pushed.
  const { salvage, served } = await salvageAndServe(storage);
  expect(served.size).toBeGreaterThan(0);
  for (const [id, lines] of served) expect(lines).toBe(original.get(id)!);
  console.log(`truncated: salvaged ${served.size}/${GROUPS}: ${salvage.stdout.split("\n")[1]}`);
});

test("a zero-filled push.mdb is refused; salvage says there is nothing to read and exits 1", async () => {
  const storage = damaged("zeroed", (f) => writeFileSync(f, new Uint8Array(statSync(f).size)));
  const file = join(storage, "push", "push.mdb");
  expectRefused(await startOn(storage), file);
  expect((await runAgent(["push-store", "check", file])).code).toBe(1);
  const salvage = await runAgent(["push-store", "salvage", file, "--to", join(dir, "zeroed-salvaged")]);
  expect(salvage.signal).toBeNull();
  expect(salvage.code).toBe(1);
  expect(salvage.stderr).toContain("nothing to salvage");
});

describe("random pages overwritten", () => {
  // Seeded, so that a failure can be replayed; each round hits different pages.
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const round of [1, 2, 3]) {
    test(`round ${round}: refused or served whole, and salvage serves only original groups`, async () => {
      const storage = damaged(`random-${round}`, (f) => {
        const pages = statSync(f).size / 4096;
        for (let n = 0; n < 4; n++) {
          const page = 2 + Math.floor(random() * (pages - 2));
          overwrite(f, page * 4096, crypto.getRandomValues(new Uint8Array(4096)));
        }
      });
      const file = join(storage, "push", "push.mdb");
      const check = await runAgent(["push-store", "check", file]);
      expect(check.signal).toBeNull();
      if (check.code === 1) {
        expectRefused(await startOn(storage), file);
      } else {
        // Only pages no snapshot uses were hit: the agent starts and serves every group as it was.
        expect(check.code).toBe(0);
        const agent = await startAgent({ roles: ["push"], storagePath: storage });
        try {
          expect(groupsOf(await fetch(`${agent.urls.push}/metrics`).then((r) => r.text()))).toEqual(original);
        } finally {
          expect(await agent.stop()).toBe(0);
        }
      }
      const { salvage, served } = await salvageAndServe(storage);
      expect(served.size).toBeGreaterThan(0);
      for (const [id, lines] of served) expect(lines).toBe(original.get(id)!);
      if (check.code === 0) expect(served).toEqual(original);
      console.log(`round ${round}: check ${check.code}, salvaged ${served.size}/${GROUPS}: ${salvage.stdout.split("\n")[0]}`);
    });
  }
});

test("a meta page overwritten is refused, and salvage recovers every group from the other", async () => {
  const storage = damaged("meta", (f) => overwrite(f, 4096, crypto.getRandomValues(new Uint8Array(4096))));
  expectRefused(await startOn(storage), join(storage, "push", "push.mdb"));
  const { served } = await salvageAndServe(storage);
  // The other meta page is the previous commit: at most the last push differs.
  expect(served.size).toBeGreaterThanOrEqual(GROUPS - 1);
  for (const [id, lines] of served) expect(lines).toBe(original.get(id)!);
});

describe("file systems that refuse", () => {
  const root = process.getuid?.() === 0;
  let mnt: string;
  beforeAll(() => {
    mnt = mkdtempSync(join(tmpdir(), "push-fs-"));
  });
  afterAll(() => {
    Bun.spawnSync(["umount", mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  test.skipIf(!root)("a new store on a full disk exits 1 saying so, naming the directory", async () => {
    expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]).exitCode).toBe(0);
    try {
      // Fill it: the write that fails is the one that found the disk full.
      const fd = openSync(join(mnt, "filler"), "w");
      try {
        for (;;) writeSync(fd, new Uint8Array(65536));
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe("ENOSPC");
      } finally {
        closeSync(fd);
      }
      const run = await startOn(join(mnt, "data"));
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(join(mnt, "data", "push"));
      expect(run.stderr).toContain("no space left");
    } finally {
      expect(Bun.spawnSync(["umount", mnt]).exitCode).toBe(0);
    }
  });

  test.skipIf(!root)("an unwritable data directory exits 1 naming the path", async () => {
    // root writes through permission bits, so the directory is on a read-only mount.
    expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt]).exitCode).toBe(0);
    try {
      mkdirSync(join(mnt, "data", "push"), { recursive: true });
      expect(Bun.spawnSync(["mount", "-o", "remount,ro", mnt]).exitCode).toBe(0);
      const run = await startOn(join(mnt, "data"));
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(join(mnt, "data", "push"));
      expect(run.stderr).toContain("EROFS");
    } finally {
      expect(Bun.spawnSync(["umount", mnt]).exitCode).toBe(0);
    }
  });
});

test.each([
  [[], "name a subcommand"],
  [["repair", "x"], 'unknown subcommand "repair"'],
  [["check"], "check takes one PATH"],
  [["salvage", "x"], "salvage needs --to NEW_DIR"],
  [["check", "x", "--to", "y"], "check takes no --to"],
  [["check", "x", "--force"], "unknown flag --force"],
])("push-store %j exits 2 with the usage", async (args, message) => {
  const run = await runAgent(["push-store", ...args]);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(message);
  expect(run.stderr).toContain("Usage: agent push-store check PATH");
});

test("push-store salvage will not write over a store", async () => {
  const run = await runAgent(["push-store", "salvage", good, "--to", join(dir, "healthy", "push")]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain("already exists");
});
