/**
 * `work`, or a rejection with the signal's reason as soon as the signal fires (after `onAbort`), whichever
 * comes first. The scrape stops waiting at once even when the work itself cannot be stopped.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, onAbort?: () => void): Promise<T> {
  if (signal.aborted) {
    onAbort?.();
    return Promise.reject(signal.reason);
  }
  let listener = () => {};
  const aborted = new Promise<never>((_, reject) => {
    listener = () => {
      onAbort?.();
      reject(signal.reason);
    };
    signal.addEventListener("abort", listener, { once: true });
  });
  return Promise.race([work, aborted]).finally(() => signal.removeEventListener("abort", listener));
}
