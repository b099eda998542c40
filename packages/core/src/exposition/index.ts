export * from "./model.ts";
export * from "./render.ts";
export * from "./writer.ts";
export * from "./parse.ts";
export * from "./protobuf.ts";
export { ProtoWriter } from "./proto-wire.ts";
export * from "./escaping.ts";
export * from "./push-path.ts";
