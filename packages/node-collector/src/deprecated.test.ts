import { describe, expect, test } from "bun:test";
import { createLogger } from "@agent/core";
import { warnDeprecatedOnce } from "./deprecated.ts";

describe("warnDeprecatedOnce", () => {
  test("warns once per collector, however many scrapes", () => {
    const lines: string[] = [];
    const log = createLogger({ level: "info", write: (l: string) => lines.push(l) });
    for (let i = 0; i < 3; i++) {
      warnDeprecatedOnce("test-a", log);
      warnDeprecatedOnce("test-b", log);
    }
    expect(lines.length).toBe(2);
    expect(lines[0]).toContain("deprecated");
    expect(lines[0]).toContain("test-a");
    expect(lines[1]).toContain("test-b");
  });
});
