/**
 * A sparkline as inline SVG (no image requests, no script, scales to its box), with a caption that gives it
 * a scale: the peak of the window and the value at the top of the chart.
 */
import { html, type Html } from "./html.ts";

const W = 120;
const H = 36;

export interface SparklineOptions {
  /** The top of the chart (1 for a fill ratio); by default the peak rounded up to 1, 2 or 5 × 10^n. */
  max?: number;
  /** How the caption writes a value (bytes per second, percent...); plain numbers by default. */
  format?: (value: number) => string;
}

/** The smallest 1, 2 or 5 × 10^n at or above `v`: a chart top a reader can take in at a glance. */
export function niceCeiling(v: number): number {
  if (!(v > 0)) return 1;
  const decade = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 5, 10]) if (m * decade >= v) return m * decade;
  return 10 * decade;
}

const plain = (v: number) => (Math.abs(v) >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(3));

/**
 * `values` oldest first; NaN marks a gap (no sample then). The y axis runs from 0 (or the lowest value, if
 * negative) to `max` when given, else to the peak rounded up.
 */
export function sparkline(values: readonly number[], label: string, opts: SparklineOptions = {}): Html {
  const format = opts.format ?? plain;
  const finite = values.filter(Number.isFinite);
  const peak = finite.length ? Math.max(...finite) : NaN;
  const lo = Math.min(0, ...finite);
  const hi = Math.max(opts.max ?? niceCeiling(peak), ...finite, lo + 1e-9);
  const step = values.length > 1 ? W / (values.length - 1) : W;
  const y = (v: number) => (H - 1 - ((v - lo) / (hi - lo)) * (H - 2)).toFixed(1);
  let line = "";
  let area = "";
  let run: string[] = [];
  const flush = (endX: number) => {
    if (run.length === 0) return;
    line += "M" + run.join("L");
    area += `M${run[0]!.split(",")[0]},${H}L${run.join("L")}L${endX.toFixed(1)},${H}Z`;
    run = [];
  };
  values.forEach((v, i) => {
    if (Number.isFinite(v)) run.push(`${(i * step).toFixed(1)},${y(v)}`);
    else flush((i - 1) * step);
  });
  flush((values.length - 1) * step);
  const peakText = finite.length ? `peak ${format(peak)}` : "no samples yet";
  const scale = `scale ${format(lo)} to ${format(hi)}`;
  return html`<figure class="spark"><svg viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="${`${label}; ${peakText}, ${scale}`}"><path class="area" d="${area}"/><path class="line" d="${line}" vector-effect="non-scaling-stroke"/></svg><figcaption><span class="peak">${peakText}</span> <span class="scale">${scale}</span></figcaption></figure>`;
}
