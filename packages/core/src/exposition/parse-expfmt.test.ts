// The parser against Go's expfmt as Debian's promtool runs it, and against random and mutated input.
import { describe, expect, test } from "bun:test";
import { parseText } from "./parse.ts";
import { ParseError } from "./text-scan.ts";
import { renderFamily } from "./render.ts";
import type { MetricFamily } from "./model.ts";
import { INVALID, VALID } from "./parse-cases.ts";

function positiveZero(families: MetricFamily[]): MetricFamily[] {
  return families.map((f) => ({ ...f, samples: f.samples.map((s) => (Object.is(s.value, -0) ? { ...s, value: 0 } : s)) }));
}

function expfmtRefuses(text: string): { refused: boolean; output: string } {
  const r = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: Buffer.from(text), stdout: "pipe", stderr: "pipe" });
  const output = r.stdout.toString() + r.stderr.toString();
  return { refused: r.exitCode === 1 && output.includes("text format parsing error"), output };
}

const hasPromtool = Bun.which("promtool") !== null;

describe.skipIf(!hasPromtool)("differential against expfmt (promtool check metrics)", () => {
  test("every valid case is accepted by expfmt too, except the listed differences", () => {
    const disagree: string[] = [];
    for (const [title, text, , note] of VALID) {
      const { refused, output } = expfmtRefuses(text);
      if (refused !== (note === "old expfmt rejects")) disagree.push(`${title}: ${output.trim()}`);
    }
    expect(disagree).toEqual([]);
  }, 60_000);

  test("every invalid case is refused by expfmt too, except the listed differences", () => {
    const disagree: string[] = [];
    for (const [title, text, line, , note] of INVALID) {
      const { refused, output } = expfmtRefuses(text);
      if (refused !== (note !== "expfmt accepts")) disagree.push(`${title}: ${output.trim()}`);
      // Where both refuse, both blame the same line.
      else if (refused && !output.includes(`in line ${line}:`)) disagree.push(`${title}: line differs: ${output.trim()}`);
    }
    expect(disagree).toEqual([]);
  }, 60_000);

  test("renderFamily output of parsed families passes promtool's parser and linter", () => {
    const text =
      '# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total{queue="a\\\\b",note="x\\"y\\nz"} 3\n' +
      "# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n" +
      'lat_seconds_bucket{le="0.1"} 1\nlat_seconds_bucket{le="+Inf"} 2\nlat_seconds_sum 0.3\nlat_seconds_count 2\n' +
      '# HELP q_seconds Quantiles.\n# TYPE q_seconds summary\nq_seconds{quantile="0.5"} NaN\nq_seconds_sum 0\nq_seconds_count 0\n' +
      "# HELP temp_celsius Temperature.\n# TYPE temp_celsius gauge\ntemp_celsius -Inf\n";
    const rendered = parseText(text).map(renderFamily).join("");
    const r = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: Buffer.from(rendered), stdout: "pipe", stderr: "pipe" });
    expect(r.stdout.toString() + r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("random and mutated input", () => {
  // A small deterministic PRNG, so a failure reproduces.
  let seed = 0x2545f491;
  const rnd = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const corpus = [...VALID.map((c) => c[1]), ...INVALID.map((c) => c[1])].filter((t) => t.length > 0);
  const alphabet = ' \t\n#{}="\\,_:aZ09.+-eEIinfNa\u00e9\u2192';

  function mutate(text: string): string {
    let out = text;
    const edits = 1 + rnd(4);
    for (let i = 0; i < edits; i++) {
      const at = rnd(out.length + 1);
      const ch = alphabet[rnd(alphabet.length)]!;
      switch (rnd(4)) {
        case 0:
          out = out.slice(0, at) + ch + out.slice(at);
          break;
        case 1:
          out = out.slice(0, at) + out.slice(at + 1);
          break;
        case 2:
          out = out.slice(0, at) + ch + out.slice(at + 1);
          break;
        default:
          out = out.slice(0, at) + out.slice(rnd(out.length + 1));
      }
    }
    return out;
  }

  test("5,000 mutated and random inputs: only ParseError is ever thrown, and results render back", () => {
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      const text =
        i % 5 === 4
          ? Array.from({ length: rnd(80) }, () => alphabet[rnd(alphabet.length)]).join("")
          : mutate(corpus[rnd(corpus.length)]!);
      let families: MetricFamily[];
      try {
        families = parseText(text);
      } catch (e) {
        if (!(e instanceof ParseError)) throw new Error(`non-ParseError for ${JSON.stringify(text)}: ${e}`);
        expect(e.line).toBeGreaterThan(0);
        refused++;
        continue;
      }
      accepted++;
      // Whatever is accepted must survive rendering and re-parsing unchanged (but for -0, which the text
      // format writes as 0, as Go does).
      expect(parseText(families.map(renderFamily).join(""))).toEqual(positiveZero(families));
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe.skipIf(!hasPromtool)("differential fuzz against expfmt (promtool check metrics)", () => {
  let seed = 0x1234567;
  const rnd = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const corpus = VALID.filter((c) => c[1].length > 0 && c[3] === undefined).map((c) => c[1]);
  const alphabet = ' \t\n#{}="\\,_:aZ09.+-eEInfNa\u00e9';
  /** Our error details for the documented differences, where expfmt accepts or fails later on. */
  const difference = /no 'le' label|no 'quantile' label|must end in _bucket|duplicate label name "(le|quantile)"|gauge_histogram|out of range/;

  test("120 mutated inputs: accepted or refused alike, and refused on the same line", () => {
    const disagree: string[] = [];
    for (let i = 0; i < 120; i++) {
      let text = corpus[rnd(corpus.length)]!;
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = rnd(text.length + 1);
        const ch = alphabet[rnd(alphabet.length)]!;
        text = rnd(2) === 0 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      let ours: ParseError | undefined;
      try {
        parseText(text);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        ours = e;
      }
      if (ours && difference.test(ours.detail)) continue;
      const theirs = expfmtRefuses(text);
      if (theirs.refused && theirs.output.includes("invalid escape sequence '\\\"'")) continue;
      if (Boolean(ours) !== theirs.refused) disagree.push(`${JSON.stringify(text)}: ours ${ours?.message ?? "accepted"}; expfmt ${theirs.output.trim() || "accepted"}`);
      else if (ours && !theirs.output.includes(`in line ${ours.line}:`)) disagree.push(`${JSON.stringify(text)}: line ${ours.line} vs ${theirs.output.trim()}`);
    }
    expect(disagree).toEqual([]);
  }, 60_000);
});

