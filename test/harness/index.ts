export * from "./agent.ts";
export * from "./ports.ts";
export * from "./prometheus.ts";
