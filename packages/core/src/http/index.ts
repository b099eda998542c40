export * from "./server.ts";
export * from "./web-config.ts";
export { addProcessMetrics } from "./process-metrics.ts";
