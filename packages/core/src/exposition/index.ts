export * from "./model.ts";
export * from "./writer.ts";
