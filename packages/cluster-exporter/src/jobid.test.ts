import { expect, test } from "bun:test";
import { classifyJobId } from "./jobid.ts";

test("numeric ids are SLURM jobs; procname.uid splits on the last dot", () => {
  expect(classifyJobId("35652133")).toEqual({ kind: "slurm", id: "35652133" });
  expect(classifyJobId("cp.1001")).toEqual({ kind: "process", procName: "cp", uid: 1001 });
  expect(classifyJobId("python3.9.1003")).toEqual({ kind: "process", procName: "python3.9", uid: 1003 });
  expect(classifyJobId("bash.0")).toEqual({ kind: "process", procName: "bash", uid: 0 });
});

test("anything else is unrecognized", () => {
  for (const id of ["SLURM_JOB_lxbk0611_35689911:1002:lxbk0611", "cp.", ".1001", "cp.10x", "plain", "", "a.99999999999"]) {
    expect(classifyJobId(id)).toEqual({ kind: "unrecognized" });
  }
});
