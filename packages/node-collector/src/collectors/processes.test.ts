import { describe, expect, test } from "bun:test";
import { processes } from "./processes.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("processes collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(processes);
    expectGolden("processes", text);
    expect(text).toContain("node_processes_pids 2\n");
    expect(text).toContain("node_processes_threads 3\n");
    expect(text).toContain(`node_processes_state{state="R"} 1\n`);
    expect(text).toContain(`node_processes_threads_state{thread_state="D"} 1\n`);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(processes, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
