/**
 * The library under Node.js: bundled for Node the way a Node job would consume it, then run by the real
 * `node` against the real Pushgateway, TLS with a private CA included (Node's fetch has no CA option, so
 * this is the path that proves the transport choice).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { makePki, startPushgateway, tempDir, tlsWebConfig, valueOf, type Pki, type Store } from "./support.ts";

const ROOT = resolve(import.meta.dir, "../..");
const nodeBin = Bun.which("node");
let dir: ReturnType<typeof tempDir>;
let pki: Pki;
let plain: Store;
let tls: Store;

beforeAll(async () => {
  dir = tempDir("node-client-");
  pki = makePki();
  plain = await startPushgateway();
  tls = await startPushgateway({ webConfig: tlsWebConfig(pki), fetchInit: { tls: { ca: pki.ca } } });
  const out = join(dir.path, "push-client.mjs");
  const entry = join(ROOT, "packages/push-client/src/index.ts");
  const built = Bun.spawnSync([process.execPath, "build", entry, "--target=node", "--format=esm", `--outfile=${out}`], { cwd: ROOT });
  if (built.exitCode !== 0) throw new Error(built.stderr.toString());
});
afterAll(async () => {
  await plain?.stop();
  await tls?.stop();
  pki?.remove();
  dir?.remove();
});

test.skipIf(!nodeBin)("a Node.js job imports the library, times a function, pushes over plain HTTP and private-CA TLS", async () => {
  const script = join(dir.path, "job.mjs");
  writeFileSync(
    script,
    `import { PushClient, timed } from "./push-client.mjs";
const [plainUrl, tlsUrl, caFile] = process.argv.slice(2);
const value = await timed("node_job", async () => 6 * 7, { gateway: plainUrl, job: "from_node" });
const pushed = await new PushClient({ gateway: tlsUrl, job: "from_node_tls", tls: { caFile } })
  .push([{ name: "answer", value, labels: { runtime: "node" } }]);
const refused = await new PushClient({ gateway: tlsUrl, job: "from_node_tls", retries: 0, onWarning: () => {} }).push("x 1");
console.log(JSON.stringify({ value, pushed: pushed.ok, refused: refused.failure, node: process.versions.node }));
`,
  );
  const run = Bun.spawnSync([nodeBin!, script, plain.url, tls.url, pki.caFile], { cwd: dir.path });
  expect(run.stderr.toString()).toBe("");
  const out = JSON.parse(run.stdout.toString());
  expect(out).toMatchObject({ value: 42, pushed: true, refused: "tls" });
  expect(valueOf(await plain.scrape(), "node_job_success", 'job="from_node"')).toBe(1);
  expect(valueOf(await tls.scrape(), "answer", 'job="from_node_tls"', 'runtime="node"')).toBe(42);
});
