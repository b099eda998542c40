import { procStatFields } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { listDir, procPath, readText } from "../read.ts";
import { readUintStrict } from "../strict-read.ts";

/** State letter and thread count from /proc/<pid>/stat. */
function statOf(text: string): [state: string, threads: number] {
  const f = procStatFields(text);
  return [f[0] ?? "", Number(f[17])];
}

function isPid(name: string): boolean {
  return /^\d/.test(name);
}

export const processes = defineCollector({
  name: "processes",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const pidMax = readUintStrict(procPath(paths, "sys/kernel/pid_max"));
      const states = new Map<string, number>();
      const threadStates = new Map<string, number>();
      let pids = 0;
      let threads = 0;
      for (const pid of listDir(paths.procfs)) {
        if (!isPid(pid)) continue;
        const stat = readText(procPath(paths, pid + "/stat"), { keepOpen: false });
        if (stat === null) continue; // exited meanwhile
        const [state, n] = statOf(stat);
        pids++;
        threads += n;
        states.set(state, (states.get(state) ?? 0) + 1);
        for (const tid of listDir(procPath(paths, pid + "/task"))) {
          const t = readText(procPath(paths, `${pid}/task/${tid}/stat`), { keepOpen: false });
          if (t === null) continue;
          const [ts] = statOf(t);
          threadStates.set(ts, (threadStates.get(ts) ?? 0) + 1);
        }
      }
      out.gauge("node_processes_max_processes", "Number of max PIDs limit", pidMax);
      out.gauge("node_processes_max_threads", "Limit of threads in the system", readUintStrict(procPath(paths, "sys/kernel/threads-max")));
      out.gauge("node_processes_pids", "Number of PIDs", pids);
      out.gauge("node_processes_threads", "Allocated threads in system", threads);
      const st = out.family("node_processes_state", "gauge", "Number of processes in each state.");
      for (const [state, n] of [...states].sort()) st.add(n, { state });
      const tst = out.family("node_processes_threads_state", "gauge", "Number of threads in each state.");
      for (const [state, n] of [...threadStates].sort()) tst.add(n, { thread_state: state });
    },
  }),
});
