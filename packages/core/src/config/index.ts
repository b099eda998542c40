export * from "./flag.ts";
export * from "./parse.ts";
