export { PushClient, type FlushResult, type PushClientOptions, type PushMethod, type PushResult, type TlsFileOptions } from "./client.ts";
export { PushError, type FailureKind } from "./errors.ts";
export { groupingPath, type GroupingKey } from "./grouping-key.ts";
export { Job, timed, type Clock, type JobOptions, type MetricOptions, type TimedOptions } from "./job.ts";
export { renderInputs, type MetricInput, type MetricKind, type Metrics, type MetricSource } from "./metrics.ts";
export { applyPrefix, nameProblem } from "./naming.ts";
export { standardLabels } from "./standard-labels.ts";
