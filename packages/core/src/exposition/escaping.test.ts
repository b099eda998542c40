import { expect, test } from "bun:test";
import { escapeExposition, escapeName, negotiateEscaping, unescapeValuesName } from "./escaping.ts";

// Cases from prometheus/common v0.61 model/metric_test.go (TestEscapeName, TestValueUnescapeErrors).
const NAMES: [input: string, underscores: string, dots: string, values: string][] = [
  ["mysystem.prod.west.cpu.load", "mysystem_prod_west_cpu_load", "mysystem_dot_prod_dot_west_dot_cpu_dot_load", "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load"],
  ["mysystem.prod.west.cpu.load_total", "mysystem_prod_west_cpu_load_total", "mysystem_dot_prod_dot_west_dot_cpu_dot_load__total", "U__mysystem_2e_prod_2e_west_2e_cpu_2e_load__total"],
  ["http.status:sum", "http_status:sum", "http_dot_status:sum", "U__http_2e_status:sum"],
  ["label with 😱", "label_with__", "label__with____", "U__label_20_with_20__1f631_"],
  ["花火", "__", "____", "U___82b1__706b_"],
  ["label with \u0100", "label_with__", "label__with____", "U__label_20_with_20__100_"],
];

test("escapeName writes each scheme as prometheus/common does, and values escaping undoes", () => {
  for (const [input, underscores, dots, values] of NAMES) {
    expect([escapeName(input, "underscores"), escapeName(input, "dots"), escapeName(input, "values")]).toEqual([underscores, dots, values]);
    expect(escapeName(input, "allow-utf-8")).toBe(input);
    expect(unescapeValuesName(values)).toBe(input);
  }
  // Classic names are never rewritten (EscapeMetricFamily leaves them), whatever the scheme.
  expect(escapeName("no:escaping_required", "dots")).toBe("no:escaping_required");
});

test("unescapeValuesName leaves names that are not a valid escape as they are", () => {
  expect(unescapeValuesName("U__capitals_2E_ok")).toBe("capitals.ok");
  expect(unescapeValuesName("U__underscores__doubled__")).toBe("underscores_doubled_");
  for (const bad of ["U__underscores_doubled_", "U__underscores__doubled_", "U__my__hack_2e_attempt_872348732fabdabbab_", "U__my__hack_2e", "U__bad__utf_2eg_", "U__bad__utf_D900_", "plain.name"]) {
    expect(unescapeValuesName(bad)).toBe(bad);
  }
});

test("negotiateEscaping reads escaping= from Accept as expfmt.Negotiate does, underscores by default", () => {
  expect(negotiateEscaping(undefined)).toBe("underscores");
  expect(negotiateEscaping("text/plain;version=0.0.4")).toBe("underscores");
  expect(negotiateEscaping("text/plain; version=0.0.4; escaping=allow-utf-8")).toBe("allow-utf-8");
  expect(negotiateEscaping("application/openmetrics-text;escaping=values;q=0.5,text/plain;q=0.4")).toBe("values");
  expect(negotiateEscaping("text/plain;escaping=bogus")).toBe("underscores");
});

test("escapeExposition rewrites quoted names only, histogram suffixes after the escaped family name", () => {
  const text =
    '# HELP "my.hist" A histogram.\n# TYPE "my.hist" histogram\n{"my.hist_bucket","a.b"="x,\\"y",le="+Inf"} 1\n{"my.hist_sum","a.b"="x,\\"y"} 2\n' +
    '{"my.hist_count","a.b"="x,\\"y"} 1\n# TYPE plain gauge\nplain{"lab el"="{\\"v"} 3\n# TYPE "solo.x" untyped\n{"solo.x"} 4\n';
  expect(escapeExposition(text, "allow-utf-8")).toBe(text);
  expect(escapeExposition(text, "values")).toBe(
    '# HELP U__my_2e_hist A histogram.\n# TYPE U__my_2e_hist histogram\nU__my_2e_hist_bucket{U__a_2e_b="x,\\"y",le="+Inf"} 1\nU__my_2e_hist_sum{U__a_2e_b="x,\\"y"} 2\n' +
      'U__my_2e_hist_count{U__a_2e_b="x,\\"y"} 1\n# TYPE plain gauge\nplain{U__lab_20_el="{\\"v"} 3\n# TYPE U__solo_2e_x untyped\nU__solo_2e_x 4\n',
  );
  expect(escapeExposition(text, "underscores")).toContain('my_hist_bucket{a_b="x,\\"y",le="+Inf"} 1\n');
  expect(escapeExposition('# TYPE "q\\"x\\\\y" untyped\n{"q\\"x\\\\y"} 1\n', "values")).toBe("# TYPE U__q_22_x_5c_y untyped\nU__q_22_x_5c_y 1\n");
  const classic = '# TYPE a gauge\na{b="c,\\"{"} 1\n';
  expect(escapeExposition(classic, "underscores")).toBe(classic);
});
