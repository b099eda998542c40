export * from "./layout.ts";
export { sparkline } from "./sparkline.ts";
