import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { collectText, expectGolden, FIXTURES, promtoolProblems } from "../testing/golden.ts";
import { lustre, parseJobStats } from "./lustre.ts";

const layout = (version: string) => ({ paths: { procfs: join(FIXTURES, "lustre", version) } });

describe("lustre collector", () => {
  test("is off by default", () => {
    expect(lustre.defaultEnabled).toBe(false);
  });

  test("Lustre 2.10 job_stats: bytes, samples, sizes and operations per job and target", async () => {
    const text = await collectText(lustre, layout("2.10"));
    expectGolden("lustre-2.10", text);
    expect(text).toContain('lustre_job_write_bytes_total{component="ost",jobid="24",target="lfs-OST0000"} 2.15147593728e+11\n');
    expect(text).toContain('lustre_job_write_samples_total{component="ost",jobid="24",target="lfs-OST0000"} 64575\n');
    expect(text).toContain('lustre_job_write_maximum_size_bytes{component="ost",jobid="26",target="lfs-OST0000"} 4.194304e+06\n');
    expect(text).toContain('lustre_job_read_bytes_total{component="ost",jobid="python3.9.1003",target="lfs-OST0000"} 1.2288e+06\n');
    expect(text).toContain('lustre_job_stats_total{component="ost",jobid="24",operation="punch",target="lfs-OST0000"} 1\n');
    expect(text).toContain('lustre_job_stats_total{component="mdt",jobid="43",operation="setattr",target="lfs-MDT0000"} 1\n');
    expect(text).toContain('lustre_job_stats_total{component="mdt",jobid="bash.0",operation="getattr",target="lfs-MDT0000"} 3\n');
    expect(text).not.toContain("lfs-OST0001");
    expect(text).not.toContain('operation="read_bytes"');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("Lustre 2.15 job_stats: quoted job ids, hist and sumsq fields, timing lines not counted as operations", async () => {
    const text = await collectText(lustre, layout("2.15"));
    expectGolden("lustre-2.15", text);
    expect(text).toContain('lustre_job_read_bytes_total{component="ost",jobid="35652133",target="hebe-OST0000"} 2.1318926336e+10\n');
    expect(text).toContain('lustre_job_read_maximum_size_bytes{component="ost",jobid="cp.1001",target="hebe-OST0000"} 1.048576e+06\n');
    expect(text).toContain(
      'lustre_job_write_bytes_total{component="ost",jobid="SLURM_JOB_lxbk0611_35689911:1002:lxbk0611",target="hebe-OST0000"} 3.918708736e+09\n',
    );
    expect(text).toContain('lustre_job_stats_total{component="mdt",jobid="35652133",operation="statfs",target="hebe-MDT0000"} 9372\n');
    expect(text).toContain('lustre_job_stats_total{component="mdt",jobid="touch.1003",operation="parallel_rename_dir",target="hebe-MDT0000"} 0\n');
    expect(text).toContain('lustre_job_stats_total{component="ost",jobid="cp.1001",operation="prealloc",target="hebe-OST0000"} 0\n');
    expect(text).not.toMatch(/operation="(read|write)"/);
    expect(text).toContain('lustre_job_read_bytes_total{component="mdt",jobid="touch.1003",target="hebe-MDT0000"} 0\n');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("parses escaped quotes in job ids and ignores lines it does not know", () => {
    const jobs = parseJobStats(
      'job_stats:\n- job_id:          "a \\"b\\" c"\n  snapshot_time:   1 secs.nsecs\n  junk line\n  open: { samples: 5, unit: usecs, min: 1, max: 2, sum: 3, sumsq: 4 }\n  bad: { samples: x }\n',
    );
    expect(jobs.length).toBe(1);
    expect(jobs[0]!.jobid).toBe('a "b" c');
    expect([...jobs[0]!.stats]).toEqual([["open", { samples: 5, min: 1, max: 2, sum: 3 }]]);
  });
});
