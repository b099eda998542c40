/**
 * The fallback path: `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits`, killed when the
 * scrape's signal fires. A field this driver does not know makes nvidia-smi reject the whole query, so
 * such a field is dropped (once, remembered) and the query repeated; a dropped identity field reads "".
 */
import { untilAborted } from "../../abort.ts";
import { ENUM_FIELDS, gaugeFields, infoQueryFields, parseSmiValue, type GaugeField, type InfoLabel } from "./fields.ts";
import type { GpuProcess, GpuReading } from "./reading.ts";
import { stateOfSmiExit, type GpuState } from "./state.ts";
const COMPUTE_APP_FIELDS = "gpu_uuid,pid,process_name,used_gpu_memory";
const INVALID_FIELD = /Field "([^"]+)" is not a valid field to query/;

export type SmiResult = { kind: "reading"; gpus: GpuReading[]; cudaVersion: string } | { kind: "unavailable"; state: GpuState; message: string };

interface Run {
  exitCode: number;
  stdout: string;
  /** stdout and stderr, for messages. */
  output: string;
}

/** How long a command found missing is not looked for again (a GPU-less host would search PATH every scrape). */
const MISSING_RETRY_MS = 60_000;

export class NvidiaSmi {
  private readonly argv: string[];
  private fields: string[];
  private cudaVersion: string | undefined;
  private missingUntil = 0;

  /** `command` may carry arguments (e.g. a wrapper), split on white space. */
  constructor(command: string) {
    this.argv = command.trim().split(/\s+/);
    this.fields = [...Object.values(infoQueryFields), ...gaugeFields];
  }

  /** The GPUs' readings, or why there are none (nvidia-smi not installed, no GPU or driver, no permission). */
  async read(signal: AbortSignal): Promise<SmiResult> {
    for (;;) {
      const run = await this.run([`--query-gpu=${this.fields.join(",")}`, "--format=csv,noheader,nounits"], signal);
      if (!run) return { kind: "unavailable", state: "no_library", message: `${this.argv[0]} not found` };
      const invalid = INVALID_FIELD.exec(run.output)?.[1];
      // uuid labels every series; without it there is nothing to report.
      if (invalid !== undefined && invalid !== infoQueryFields.uuid && this.fields.includes(invalid)) {
        this.fields = this.fields.filter((f) => f !== invalid);
        continue;
      }
      if (run.exitCode !== 0) {
        const state = stateOfSmiExit(run.exitCode);
        if (state) return { kind: "unavailable", state, message: run.output.trim().slice(0, 300) };
        throw new Error(`${this.argv[0]} exited with ${run.exitCode}: ${run.output.trim().slice(0, 300)}`);
      }
      const gpus = parseRows(run.stdout, this.fields);
      if (gpus.length === 0) return { kind: "unavailable", state: "no_device", message: "nvidia-smi listed no GPU" };
      this.cudaVersion ??= await this.readCudaVersion(signal);
      await this.readProcesses(gpus, signal);
      return { kind: "reading", gpus, cudaVersion: this.cudaVersion };
    }
  }

  /**
   * The compute processes (`--query-compute-apps`), attached to their GPU by uuid; left undefined when
   * nvidia-smi cannot list them, so that compute_apps_last_collect_success says 0.
   */
  private async readProcesses(gpus: GpuReading[], signal: AbortSignal): Promise<void> {
    const run = await this.run([`--query-compute-apps=${COMPUTE_APP_FIELDS}`, "--format=csv,noheader,nounits"], signal);
    if (!run || run.exitCode !== 0) return;
    const byUuid = new Map(gpus.map((g) => [g.info.uuid, g]));
    for (const g of gpus) g.processes = [];
    for (const line of run.stdout.split("\n")) {
      // process_name may itself hold ", ": the uuid and pid lead, the memory ends.
      const cells = line.split(", ");
      if (cells.length < 4) continue;
      const pid = Number(cells[1]);
      const memory = parseSmiValue(cells.at(-1)!);
      const process: GpuProcess = { pid, name: cells.slice(2, -1).join(", ") };
      if (memory !== undefined) process.memoryBytes = memory * 1048576;
      if (Number.isInteger(pid)) byUuid.get(cells[0]!.trim())?.processes!.push(process);
    }
  }

  /** `CUDA Version : 12.4` from `nvidia-smi --version`; asked once, the driver does not change under us. */
  private async readCudaVersion(signal: AbortSignal): Promise<string> {
    const run = await this.run(["--version"], signal);
    return (run && /^CUDA Version\s*:\s*(\S+)/m.exec(run.output)?.[1]) || "";
  }

  /** Runs nvidia-smi with these arguments; undefined when it is not installed. */
  private async run(args: string[], signal: AbortSignal): Promise<Run | undefined> {
    signal.throwIfAborted();
    if (Date.now() < this.missingUntil) return undefined;
    let proc;
    try {
      proc = Bun.spawn([...this.argv, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      this.missingUntil = Date.now() + MISSING_RETRY_MS;
      return undefined;
    }
    // On abort, kill it and stop waiting: a child it forked may keep the pipes open after it dies.
    const [stdout, stderr, exitCode] = await untilAborted(
      Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]),
      signal,
      () => proc.kill("SIGKILL"),
    );
    return { exitCode, stdout, output: stdout + stderr };
  }
}

/** One reading per CSV row; `fields` are the queried fields in order. */
export function parseRows(csv: string, fields: readonly string[]): GpuReading[] {
  const gpus: GpuReading[] = [];
  const infoColumn = Object.entries(infoQueryFields).map(([label, field]) => [label as InfoLabel, fields.indexOf(field)] as const);
  for (const line of csv.split("\n")) {
    if (line.trim() === "") continue;
    const cells = line.split(",").map((c) => c.trim());
    if (cells.length !== fields.length) {
      throw new Error(`nvidia-smi printed ${cells.length} values for ${fields.length} fields: ${line.slice(0, 200)}`);
    }
    const info = {} as Record<InfoLabel, string>;
    for (const [label, column] of infoColumn) info[label] = column < 0 ? "" : cells[column]!;
    const values: Partial<Record<GaugeField, number>> = {};
    fields.forEach((field, i) => {
      if (!(gaugeFields as readonly string[]).includes(field)) return;
      const value = ENUM_FIELDS[field as GaugeField]?.[cells[i]!.toLowerCase()] ?? parseSmiValue(cells[i]!);
      if (value !== undefined) values[field as GaugeField] = value;
    });
    gpus.push({ info, values });
  }
  return gpus;
}
