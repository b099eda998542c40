export * from "./agent.ts";
export * from "./ports.ts";
export * from "./prometheus.ts";
export * from "./pushgateway.ts";
export * from "./curl.ts";
export * from "./tls.ts";
export * from "./debian-root.ts";
export * from "./uploads.ts";
