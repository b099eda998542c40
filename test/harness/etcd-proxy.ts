/**
 * An HTTP relay between an agent and one real etcd member that a test can use to force the order of events
 * that otherwise happen only by chance under load: it holds transactions (/v3/kv/txn) before they reach etcd
 * until released, and cuts the watch streams it relays (as a lost member would). Everything else passes
 * through unchanged.
 */
export interface EtcdProxy {
  /** The relay's client URL, for --push.etcd.endpoints. */
  url: string;
  /** From now on, transactions wait in the relay until releaseTxns(). */
  holdTxns(): void;
  /** From now on, transactions reach etcd at once but their answers wait until releaseTxns(). */
  holdTxnAnswers(): void;
  /** Sends every held transaction on to etcd, and lets later ones through. */
  releaseTxns(): void;
  /** Settles once at least `n` transactions are being held. */
  held(n?: number): Promise<void>;
  /** Ends every watch stream relayed so far. */
  cutWatches(): void;
  stop(): void;
}

export function startEtcdProxy(target: string): EtcdProxy {
  let gate: { promise: Promise<void>; resolve: () => void } | undefined;
  let answersOnly = false;
  let holding = 0;
  /** Ends one relayed watch stream, each. */
  const watches = new Set<() => void>();
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    // A quiet watch is a healthy one: never cut it for idling.
    idleTimeout: 0,
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = await req.arrayBuffer();
      const held = path === "/v3/kv/txn" ? gate : undefined;
      if (held && !answersOnly) {
        holding++;
        await held.promise;
      }
      const upstream = await fetch(target + path, { method: req.method, body, timeout: false });
      if (held && answersOnly) {
        holding++;
        await held.promise;
      }
      const headers = { "content-type": upstream.headers.get("content-type") ?? "application/json" };
      if (path !== "/v3/watch" || !upstream.body) return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers });
      return relayWatch(upstream.body, upstream.status, headers, watches);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    holdTxns() {
      gate = Promise.withResolvers<void>();
      answersOnly = false;
    },
    holdTxnAnswers() {
      gate = Promise.withResolvers<void>();
      answersOnly = true;
    },
    releaseTxns() {
      gate?.resolve();
      gate = undefined;
      holding = 0;
    },
    async held(n = 1) {
      while (holding < n) await Bun.sleep(10);
    },
    cutWatches() {
      for (const cut of [...watches]) cut();
    },
    stop() {
      gate?.resolve();
      this.cutWatches();
      void server.stop(true);
    },
  };
}

/**
 * A watch stream relayed chunk by chunk, so that a cut (the function it adds to `watches`) ends the agent's
 * stream cleanly, as a member going away does.
 */
function relayWatch(body: ReadableStream<Uint8Array>, status: number, headers: Record<string, string>, watches: Set<() => void>): Response {
  const reader = body.getReader();
  const end = (c: ReadableStreamDefaultController<Uint8Array>) => {
    watches.delete(cut);
    void reader.cancel().catch(() => undefined);
    try {
      c.close();
    } catch {
      // closed already
    }
  };
  let cut = () => {};
  const relay = new ReadableStream<Uint8Array>({
    start(c) {
      cut = () => end(c);
      watches.add(cut);
    },
    async pull(c) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (r.done) end(c);
      else c.enqueue(r.value);
    },
    cancel() {
      watches.delete(cut);
      void reader.cancel().catch(() => undefined);
    },
  });
  return new Response(relay, { status, headers });
}
