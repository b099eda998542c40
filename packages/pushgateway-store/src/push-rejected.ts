/** Why a push was refused; `failure` says whether Pushgateway would record push_failure_time_seconds. */
export class PushRejected extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly status: number,
    readonly failure: boolean,
  ) {
    super(message);
    this.name = "PushRejected";
  }
}
