/**
 * The thread NVML runs on. An NVML call can block for as long as the driver does (a GPU falling off the
 * bus, a wedged driver); on the main thread that would freeze every role of the agent, here it only keeps
 * the gpu collector waiting. Answers each NvmlRequest with one NvmlReply.
 *
 * scripts/build.ts lists this file as an entry point so that the compiled binary embeds it.
 */
import { Nvml, NvmlError } from "./nvml.ts";
import type { GpuReading } from "./reading.ts";
import type { GpuState } from "./state.ts";

export interface NvmlRequest {
  library: string;
}

export type NvmlReply =
  | { kind: "reading"; gpus: GpuReading[]; cudaVersion: string }
  /** The library did not load or initialise: use nvidia-smi instead. */
  | { kind: "unavailable"; message: string; state: GpuState }
  | { kind: "error"; message: string };

declare const self: Worker;

let nvml: Nvml | undefined;

/** How often queued NVML events (XIDs) are taken between scrapes. */
const DRAIN_MS = 1000;
setInterval(() => nvml?.drainEvents(), DRAIN_MS);

self.onmessage = (event: MessageEvent<NvmlRequest>) => {
  let reply: NvmlReply;
  try {
    nvml ??= Nvml.open(event.data.library);
    reply = { kind: "reading", gpus: nvml.read(), cudaVersion: nvml.cudaVersion };
  } catch (e) {
    const message = (e as Error).message;
    reply = !nvml && e instanceof NvmlError ? { kind: "unavailable", message, state: e.state } : { kind: "error", message };
  }
  postMessage(reply);
};
