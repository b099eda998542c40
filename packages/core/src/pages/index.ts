export * from "./layout.ts";
export { html, raw, type Html } from "./html.ts";
export { sparkline } from "./sparkline.ts";
export { statusPage, type StatusPageOptions } from "./status.ts";
