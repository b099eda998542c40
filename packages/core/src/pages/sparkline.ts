/** A sparkline as inline SVG: no image requests, no script, scales to its box. */
import { esc } from "../http/landing.ts";

const W = 120;
const H = 36;

/**
 * `values` oldest first; NaN marks a gap (no sample then). The y axis runs from 0 (or the lowest value, if
 * negative) to `max` when given (100 % for a fill ratio), else to the highest value.
 */
export function sparkline(values: readonly number[], label: string, max?: number): string {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(max ?? -Infinity, ...finite, lo + 1e-9);
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
  return `<svg class="spark" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="${esc(label)}"><path class="area" d="${area}"/><path class="line" d="${line}" vector-effect="non-scaling-stroke"/></svg>`;
}
