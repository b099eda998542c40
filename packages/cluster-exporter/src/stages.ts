/** The stages of one scrape, named as the original exporter names them in stage_execution_seconds{name}. */
export const STAGES = [
  "retrieve_running_jobs",
  "retrieve_user_name_info",
  "retrieve_group_name_info",
  "build_metadata_metrics",
  "build_read_throughput_metrics",
  "build_write_throughput_metrics",
] as const;

export type StageName = (typeof STAGES)[number];

export interface StageOutcome {
  name: StageName;
  seconds: number;
  /** Why the stage failed; absent when it succeeded. */
  error?: string;
  /** Records the stage could not use (malformed squeue lines, unattributable job ids, bad samples). */
  skipped: number;
}

/** Runs `work`, timing it; a throw becomes the stage's error instead of escaping the scrape. */
export async function runStage<T>(
  name: StageName,
  work: () => Promise<T>,
): Promise<{ outcome: StageOutcome; value?: T }> {
  const start = performance.now();
  try {
    const value = await work();
    return { outcome: { name, seconds: (performance.now() - start) / 1000, skipped: 0 }, value };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { outcome: { name, seconds: (performance.now() - start) / 1000, error, skipped: 0 } };
  }
}
