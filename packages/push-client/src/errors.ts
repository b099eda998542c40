/** Why a push did not land. Only `network`, `timeout` and `server` are worth retrying or spooling. */
export type FailureKind = "config" | "network" | "timeout" | "tls" | "server" | "rejected";

export class PushError extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "PushError";
  }
}

/** The store may be back in a moment: retry within the timeout, then spool. */
export function isTransient(kind: FailureKind): boolean {
  return kind === "network" || kind === "timeout" || kind === "server";
}
