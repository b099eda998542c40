import { expect, test } from "bun:test";
import { pushPath, pushPathSegment } from "./push-path.ts";

test("a value with / or an empty one goes as unpadded base64url, as client_golang writes it; others percent-encoded", () => {
  expect(pushPathSegment("path", "/var/tmp")).toBe("/path@base64/L3Zhci90bXA");
  expect(pushPathSegment("shard", "")).toBe("/shard@base64/=");
  expect(pushPathSegment("instance", "db 1%")).toBe("/instance/db%201%25");
});

test("a label name that is not classic is written in U__ escaping", () => {
  expect(pushPath("j", [["a.b", "x"]])).toBe("/metrics/job/j/U__a_2e_b/x");
});
