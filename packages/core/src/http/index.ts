export * from "./server.ts";
export * from "./web-config.ts";
export { addProcessMetrics } from "./process-metrics.ts";
export { routePrefix, type PublicPaths } from "./public-paths.ts";
