/**
 * HEAD answers as GET does, without the body, as Go's net/http serves it for node_exporter and Pushgateway.
 * The app is asked for GET: hono's own HEAD handling drops the headers c.text() sets.
 */
/** A fetch handler as Bun.serve calls it (hono's app.fetch takes further arguments). */
export type Fetch<A extends unknown[]> = (req: Request, ...rest: A) => Response | Promise<Response>;

export function headAsGet<A extends unknown[]>(fetch: Fetch<A>): Fetch<A> {
  return async (req, ...rest) => {
    if (req.method !== "HEAD") return fetch(req, ...rest);
    const res = await fetch(new Request(req.url, { method: "GET", headers: req.headers }), ...rest);
    // A Response made from a string carries its text/plain type in the body, not in `headers`.
    const headers = new Headers(res.headers);
    if (!headers.has("content-type")) {
      const type = (await res.blob()).type;
      if (type) headers.set("content-type", type);
    }
    return new Response(null, { status: res.status, headers });
  };
}
