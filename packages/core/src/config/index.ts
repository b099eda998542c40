export * from "./flag.ts";
export * from "./parse.ts";
export * from "./suggest.ts";
