/** What the push role and the real Pushgateway (the oracle, from the harness) answer, reduced to what must agree. */

/** Families the servers report about themselves, not pushed by anyone. */
export const OWN_FAMILY = /^(go_|process_|pushgateway_|promhttp_|agent_)/;

export interface Exposition {
  /** family name -> { help, type, sample lines sorted } */
  [family: string]: { help?: string; type?: string; samples: string[] };
}

/**
 * A /metrics body reduced to what pushes decide: the servers' own families dropped (pushed series of those
 * names kept: they carry a job label), push times blurred to "T", each family's lines sorted (the push role
 * concatenates groups rather than sorting series across them).
 */
export function normalizeExposition(text: string, opts: { ignoreHelp?: boolean } = {}): Exposition {
  const out: Exposition = {};
  const fam = (name: string) => (out[name] ??= { samples: [] });
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (m) {
      if (OWN_FAMILY.test(m[2]!)) continue;
      if (m[1] === "TYPE") fam(m[2]!).type = m[3];
      else if (!opts.ignoreHelp) fam(m[2]!).help = m[3];
      continue;
    }
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)![0];
    if (OWN_FAMILY.test(name) && !line.includes('job="')) continue;
    const base = name.replace(/_(bucket|sum|count)$/, "");
    const family = out[name] ? name : out[base] ? base : name;
    let sample = line;
    if (/^push_(failure_)?time_seconds\{/.test(line)) sample = line.replace(/ (?!0$)\S+$/, " T");
    fam(family).samples.push(sample);
  }
  for (const [name, f] of Object.entries(out)) {
    if (OWN_FAMILY.test(name) && f.samples.length === 0) delete out[name];
    else f.samples.sort();
  }
  return out;
}

type Json = unknown;

/** /api/v1/metrics reduced the same way: times blurred, groups and metrics in a stable order. */
export function normalizeApi(body: Json): Json {
  const data = (body as { data: Record<string, Json>[] }).data;
  const groups = data.map((g) => {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(g)) {
      if (k === "labels" || k === "last_push_successful") {
        out[k] = v;
        continue;
      }
      const f = v as { time_stamp: string; type: string; help?: string; metrics: Record<string, Json>[] };
      const metrics = f.metrics.map((m) => {
        const c = { ...m };
        if (/^push_(failure_)?time_seconds$/.test(k) && c.value !== "0") c.value = "T";
        // The push role keeps buckets as Pushgateway's text output shows them, with the +Inf bucket it adds.
        if (c.buckets) c.buckets = Object.fromEntries(Object.entries(c.buckets as object).filter(([le]) => le !== "+Inf"));
        return c;
      });
      out[k] = { ...f, time_stamp: "T", metrics: metrics.map((m) => JSON.stringify(m)).sort() };
    }
    return out;
  });
  return groups.sort((a, b) => (JSON.stringify(a.labels) < JSON.stringify(b.labels) ? -1 : 1));
}
