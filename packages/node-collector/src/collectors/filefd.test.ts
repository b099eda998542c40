import { describe, expect, test } from "bun:test";
import { filefd } from "./filefd.ts";
import { collectText } from "../testing/golden.ts";

describe("filefd collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(filefd);
    expect(text).toMatch(/^node_filefd_allocated [0-9.e+]+$/m);
    expect(text).toMatch(/^node_filefd_maximum [0-9.e+]+$/m);
  });
});
