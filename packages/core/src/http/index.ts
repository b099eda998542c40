export * from "./server.ts";
export * from "./web-config.ts";
export { addProcessMetrics } from "./process-metrics.ts";
export { publicPaths, type PublicPaths } from "./public-paths.ts";
export { inheritedFd, relayActivatedSocket, type ActivatedSocket } from "./systemd-socket.ts";
