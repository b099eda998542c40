import { describe, expect, test } from "bun:test";
import { filefd } from "./filefd.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("filefd collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(filefd);
    expectGolden("filefd", text);
    expect(text).toMatch(/^node_filefd_allocated [0-9.e+]+$/m);
    expect(text).toMatch(/^node_filefd_maximum [0-9.e+]+$/m);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(filefd, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
