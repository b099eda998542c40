/**
 * XID errors (the driver's numbered GPU faults: 48 double-bit ECC, 79 fallen off the bus, 13/31/43 faulting
 * applications...) through NVML's event API, counted per GPU and code. Only the NVML worker thread touches
 * it: each reading drains what is queued without blocking, and the worker also drains every second
 * between scrapes so NVML's bounded queue cannot overflow and drop events.
 */
import type { Pointer } from "bun:ffi";
import { NVML_SUCCESS, type Call } from "./nvml-library.ts";

/** nvmlEventTypeXidCriticalError. */
const EVENT_XID = 0x8n;
/** nvmlEventData_t: nvmlDevice_t device; unsigned long long eventType, eventData; unsigned gpuInstanceId, computeInstanceId. */
const EVENT_DATA = { size: 32, device: 0, eventType: 8, eventData: 16 } as const;

export interface XidCalls {
  nvmlEventSetCreate?: Call;
  nvmlDeviceRegisterEvents?: Call;
  nvmlEventSetWait_v2?: Call;
}

export interface XidCounts {
  /** XID code -> events since the agent started watching. */
  byCode: Map<number, number>;
  /** The code of the newest event (dcgm-exporter's DCGM_FI_DEV_XID_ERRORS); 0 before any. */
  last: number;
  /** XID code -> when its newest event was taken (Unix seconds; the events carry no time of their own). */
  lastSeen: Map<number, number>;
}

export class XidWatcher {
  private readonly set: Pointer;
  /** Device handle -> its counts; null for a device that cannot report XIDs, so it is not asked again. */
  private readonly devices = new Map<number, XidCounts | null>();
  private readonly event = new Uint8Array(EVENT_DATA.size);

  private constructor(
    private readonly calls: Required<XidCalls>,
    set: Pointer,
  ) {
    this.set = set;
  }

  /** An event set, or undefined where this NVML has no event API. */
  static create(calls: XidCalls): XidWatcher | undefined {
    const { nvmlEventSetCreate, nvmlDeviceRegisterEvents, nvmlEventSetWait_v2 } = calls;
    if (!nvmlEventSetCreate || !nvmlDeviceRegisterEvents || !nvmlEventSetWait_v2) return undefined;
    const set = new BigUint64Array(1);
    if (nvmlEventSetCreate(set) !== NVML_SUCCESS) return undefined;
    return new XidWatcher({ nvmlEventSetCreate, nvmlDeviceRegisterEvents, nvmlEventSetWait_v2 }, Number(set[0]) as Pointer);
  }

  /** The counts for a device, registering it on first sight; undefined where it cannot report XIDs (NOT_SUPPORTED). */
  countsFor(device: Pointer): XidCounts | undefined {
    let counts = this.devices.get(device);
    if (counts !== undefined) return counts ?? undefined;
    counts = this.calls.nvmlDeviceRegisterEvents(device, EVENT_XID, this.set) === NVML_SUCCESS ? { byCode: new Map(), last: 0, lastSeen: new Map() } : null;
    this.devices.set(device, counts);
    return counts ?? undefined;
  }

  /** Takes every queued event without waiting. */
  drain(): void {
    const view = new DataView(this.event.buffer);
    // Bounded so that a flood of events cannot keep the thread from answering.
    for (let i = 0; i < 10_000 && this.calls.nvmlEventSetWait_v2(this.set, this.event, 0) === NVML_SUCCESS; i++) {
      if ((view.getBigUint64(EVENT_DATA.eventType, true) & EVENT_XID) === 0n) continue;
      const counts = this.devices.get(Number(view.getBigUint64(EVENT_DATA.device, true)));
      if (!counts) continue;
      const code = Number(view.getBigUint64(EVENT_DATA.eventData, true));
      counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
      counts.last = code;
      counts.lastSeen.set(code, Date.now() / 1000);
    }
  }
}
