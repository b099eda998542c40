export * from "./model.ts";
export * from "./writer.ts";
export * from "./parse.ts";
export * from "./parse.ts";
