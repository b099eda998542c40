import { describe, expect, test } from "bun:test";
import { processes } from "./processes.ts";
import { collectText } from "../testing/golden.ts";

describe("processes collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(processes);
    expect(text).toContain("node_processes_pids 2\n");
    expect(text).toContain("node_processes_threads 3\n");
    expect(text).toContain(`node_processes_state{state="R"} 1\n`);
    expect(text).toContain(`node_processes_threads_state{thread_state="D"} 1\n`);
  });
});
