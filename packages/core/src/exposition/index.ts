export * from "./model.ts";
export * from "./writer.ts";
export * from "./parse.ts";
export * from "./protobuf.ts";
export * from "./escaping.ts";
