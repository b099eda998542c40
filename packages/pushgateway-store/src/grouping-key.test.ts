import { expect, test } from "bun:test";
import { decodeBase64Url, groupingKey, parsePushPath, pushPathFor } from "./grouping-key.ts";

test("job and label pairs, sorted, job from the path wins", () => {
  expect(parsePushPath("/metrics/job/j/zone/eu/instance/i1")).toEqual({ ok: true, labels: { instance: "i1", job: "j", zone: "eu" } });
  expect(parsePushPath("/metrics/job/x/job/y")).toEqual({ ok: true, labels: { job: "x" } });
  expect(parsePushPath("/metrics/job/x/")).toEqual({ ok: true, labels: { job: "x" } });
  expect(parsePushPath("/metrics/job/x/a/")).toEqual({ ok: true, labels: { a: "", job: "x" } });
});

test("base64 values, padding optional, @base64/= is empty, %2F splits", () => {
  expect(parsePushPath("/metrics/job@base64/L3Zhci90bXA=/path@base64/YS9i")).toEqual({ ok: true, labels: { job: "/var/tmp", path: "a/b" } });
  expect(parsePushPath("/metrics/job/x/a@base64/=")).toEqual({ ok: true, labels: { a: "", job: "x" } });
  expect(parsePushPath("/metrics/job/x/a%2Fb")).toEqual({ ok: true, labels: { a: "b", job: "x" } });
  expect(decodeBase64Url("w7xiZXI")).toEqual({ ok: true, text: "über" });
});

test("bad paths: 400 with a message, or 404 outside the push API", () => {
  const bad = (p: string) => {
    const r = parsePushPath(p);
    if (r.ok) throw new Error(`${p} accepted`);
    return [r.status, r.message] as const;
  };
  expect(bad("/metrics/job/x/a")).toEqual([400, 'odd number of components in label string "/a"']);
  expect(bad("/metrics/job/x/__a/b")[1]).toContain("improper label name");
  expect(bad("/metrics/job/x/1a/b")[0]).toBe(400);
  expect(bad("/metrics/job@base64/=")).toEqual([400, "job name is required"]);
  expect(bad("/metrics/job@base64/!!")[1]).toContain("invalid base64");
  expect(bad("/metrics/job/x/a@base64/%25%25")[1]).toContain("invalid base64");
  expect(bad("/metrics/job/x/a/%ZZ")[0]).toBe(400);
  // 0xff 0xfe: valid base64, but not UTF-8 once decoded; refused rather than stored as U+FFFD.
  expect(bad("/metrics/job/x/a@base64/__4")).toEqual([400, 'invalid base64 encoding for label a="__4": the decoded bytes are not valid UTF-8']);
  expect(bad("/metrics/job@base64/__4")[1]).toContain("not valid UTF-8");
  expect(bad("/metrics/foo")[0]).toBe(404);
});

test("grouping keys are order-independent; pushPathFor round-trips", () => {
  expect(groupingKey({ a: "1", job: "j" })).toBe(groupingKey({ job: "j", a: "1" }));
  expect(groupingKey({ a: "1", job: "j" })).not.toBe(groupingKey({ job: "j", a: "1", b: "" }));
  const sets: Record<string, string>[] = [{ job: "j" }, { job: "a/b", path: "", x: "ü %" }, { job: "ci", instance: "h:9" }];
  for (const labels of sets) {
    const r = parsePushPath(pushPathFor(labels));
    expect(r).toEqual({ ok: true, labels: Object.fromEntries(Object.entries(labels).sort()) });
  }
});

test("UTF-8 label names in paths: U__ escaped or raw with utf8 names, refused without (Pushgateway's TestSplitLabelsUTF8)", () => {
  expect(parsePushPath("/metrics/job/j/label_name1/label_value1/U__label_2e_name2/label_value2", "utf8")).toEqual({
    ok: true,
    labels: { job: "j", "label.name2": "label_value2", label_name1: "label_value1" },
  });
  expect(parsePushPath("/metrics/job/j/instance@base64/dGVzdGluc3RhbmNl/U__dotted_2e_label_2e_name@base64/bXlsYWJlbHZhbHVl", "utf8")).toEqual({
    ok: true,
    labels: { "dotted.label.name": "mylabelvalue", instance: "testinstance", job: "j" },
  });
  expect(parsePushPath("/metrics/job/j/caf%C3%A9.x/1", "utf8")).toEqual({ ok: true, labels: { "café.x": "1", job: "j" } });
  // Without the flag, an escaped name is just a classic name; a dotted one is improper.
  expect(parsePushPath("/metrics/job/j/U__label_2e_name2/v")).toEqual({ ok: true, labels: { U__label_2e_name2: "v", job: "j" } });
  expect(parsePushPath("/metrics/job/j/a.b/v")).toMatchObject({ ok: false, status: 400 });
  // A name that unescapes into the reserved prefix stays reserved.
  expect(parsePushPath("/metrics/job/j/U_____5f_x/v", "utf8")).toMatchObject({ ok: false, status: 400 });
  expect(pushPathFor({ job: "j", "a.b": "v" })).toBe("/metrics/job/j/U__a_2e_b/v");
});
