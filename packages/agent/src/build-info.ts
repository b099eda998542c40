/** Filled in by scripts/build.ts through `define`; a run from source says "dev". */
declare const AGENT_VERSION: string | undefined;
declare const AGENT_REVISION: string | undefined;

export const VERSION = typeof AGENT_VERSION === "string" ? AGENT_VERSION : "dev";
export const REVISION = typeof AGENT_REVISION === "string" ? AGENT_REVISION : "unknown";
export const BUN_VERSION = Bun.version;

export function versionText(): string {
  return `agent ${VERSION} (revision ${REVISION}, bun ${BUN_VERSION}, ${process.platform}/${process.arch})\n`;
}
