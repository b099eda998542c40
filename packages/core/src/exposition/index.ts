export * from "./model.ts";
export * from "./render.ts";
export * from "./writer.ts";
export * from "./parse.ts";
export { ParseError, parseGoFloat, setLabel } from "./text-scan.ts";
export * from "./protobuf.ts";
export { ProtoWriter } from "./proto-wire.ts";
export * from "./escaping.ts";
export * from "./push-path.ts";
