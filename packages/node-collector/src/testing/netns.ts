/**
 * A network namespace of its own for tests that need real netlink state (interfaces, routes, qdiscs) the host
 * must not see: created as root, filled with `ip`/`tc` commands, removed by the test.
 */
import { join } from "node:path";

export class NetNs {
  readonly name = `agent-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  constructor() {
    this.sh("ip", "netns", "add", this.name);
    this.run("ip", "link", "set", "lo", "up");
  }

  /** Runs a command on the host side; throws with its stderr when it fails. */
  private sh(...argv: string[]): string {
    const r = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr.toString().trim()}`);
    return r.stdout.toString();
  }

  /** Runs a command inside the namespace. */
  run(...argv: string[]): string {
    return this.sh("ip", "netns", "exec", this.name, ...argv);
  }

  /**
   * Runs `collector` from collectors/<file>.ts inside the namespace and returns its text; `flags` are written
   * as on the command line (keyed by the collector's flag keys) and parsed by the collector's own flag specs.
   * It reads the live /proc and /sys, which inside the namespace show the namespace's interfaces.
   */
  collect(file: string, collector: string, flags: Record<string, string | boolean> = {}): string {
    const src = join(import.meta.dir, "..", "collectors", `${file}.ts`);
    const golden = join(import.meta.dir, "golden.ts");
    const read = join(import.meta.dir, "..", "read.ts");
    const script = `import { ${collector} as c } from ${JSON.stringify(src)};
import { collectText } from ${JSON.stringify(golden)};
import { DEFAULT_PATHS } from ${JSON.stringify(read)};
const config = Object.fromEntries(Object.entries(${JSON.stringify(flags)}).map(([k, v]) => [k, c.flags[k].parse(v)]));
process.stdout.write(await collectText(c, { config, paths: DEFAULT_PATHS }));`;
    return this.run(process.execPath, "-e", script);
  }

  remove(): void {
    Bun.spawnSync(["ip", "netns", "delete", this.name]);
  }
}
