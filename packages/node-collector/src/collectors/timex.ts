import { libcFunctions } from "@agent/os";
import { FFIType } from "bun:ffi";
import { defineCollector } from "../collector.ts";

// struct timex on 64-bit Linux: 208 bytes, longs at 8-byte offsets, ints padded to 8.
const OFF = { offset: 8, freq: 16, maxerror: 24, esterror: 32, status: 40, constant: 48, tick: 88, ppsfreq: 96, jitter: 104, shift: 112, stabil: 120, jitcnt: 128, calcnt: 136, errcnt: 144, stbcnt: 152, tai: 160 };
const STA_NANO = 0x2000;
const TIME_ERROR = 5;
/** Frequencies come in parts per million with a 16-bit fraction. */
const PPM16 = 1_000_000 * 65536;

/** adjtimex(2) through libc, on the 64-bit ABIs whose struct timex OFF describes; null elsewhere or without libc. */
function loadAdjtimex(): ((buf: Uint8Array) => number) | null {
  if (process.arch !== "x64" && process.arch !== "arm64") return null;
  const libc = libcFunctions({ adjtimex: { args: [FFIType.ptr], returns: FFIType.i32 } });
  return libc && ((p) => libc.adjtimex(p));
}

export const timex = defineCollector({
  name: "timex",
  defaultEnabled: true,
  create() {
    const adjtimex = loadAdjtimex();
    const buf = new Uint8Array(208);
    const view = new DataView(buf.buffer);
    return {
      collect(out) {
        if (!adjtimex) return;
        buf.fill(0); // modes = 0: read only
        const state = adjtimex(buf);
        if (state < 0) throw new Error("adjtimex failed");
        const long = (k: keyof typeof OFF) => Number(view.getBigInt64(OFF[k], true));
        const int = (k: keyof typeof OFF) => view.getInt32(OFF[k], true);
        const status = int("status");
        const divisor = status & STA_NANO ? 1e9 : 1e6;
        out.gauge("node_timex_sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).", state === TIME_ERROR ? 0 : 1);
        out.gauge("node_timex_offset_seconds", "Time offset in between local system and reference clock.", long("offset") / divisor);
        out.gauge("node_timex_frequency_adjustment_ratio", "Local clock frequency adjustment.", 1 + long("freq") / PPM16);
        out.gauge("node_timex_maxerror_seconds", "Maximum error in seconds.", long("maxerror") / 1e6);
        out.gauge("node_timex_estimated_error_seconds", "Estimated error in seconds.", long("esterror") / 1e6);
        out.gauge("node_timex_status", "Value of the status array bits.", status);
        out.gauge("node_timex_loop_time_constant", "Phase-locked loop time constant.", long("constant"));
        out.gauge("node_timex_tick_seconds", "Seconds between clock ticks.", long("tick") / 1e6);
        out.gauge("node_timex_pps_frequency_hertz", "Pulse per second frequency.", long("ppsfreq") / PPM16);
        out.gauge("node_timex_pps_jitter_seconds", "Pulse per second jitter.", long("jitter") / divisor);
        out.gauge("node_timex_pps_shift_seconds", "Pulse per second interval duration.", int("shift"));
        out.gauge("node_timex_pps_stability_hertz", "Pulse per second stability, average of recent frequency changes.", long("stabil") / PPM16);
        out.counter("node_timex_pps_jitter_total", "Pulse per second count of jitter limit exceeded events.", long("jitcnt"));
        out.counter("node_timex_pps_calibration_total", "Pulse per second count of calibration intervals.", long("calcnt"));
        out.counter("node_timex_pps_error_total", "Pulse per second count of calibration errors.", long("errcnt"));
        out.counter("node_timex_pps_stability_exceeded_total", "Pulse per second count of stability limit exceeded events.", long("stbcnt"));
        out.gauge("node_timex_tai_offset_seconds", "International Atomic Time (TAI) offset.", int("tai"));
      },
    };
  },
});
