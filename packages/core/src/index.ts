export * from "./exposition/index.ts";
export * from "./config/index.ts";
export * from "./log.ts";
export * from "./role.ts";
export * from "./http/index.ts";
export * from "./startup-pages.ts";
export * from "./proc-stat.ts";
export * from "./dir-lock.ts";
