/**
 * Basic authentication against bcrypt hashes. bcrypt is deliberately slow (tens of ms), so a successful
 * check is remembered by its exact header; Prometheus sends the same header on every scrape. An unknown user
 * is checked against a decoy hash of the same cost, so response time does not tell which user names exist.
 */
import type { MiddlewareHandler } from "hono";

/** One decoy per user table: every role address shares the web config, and a bcrypt hash costs tens of ms. */
const decoys = new WeakMap<ReadonlyMap<string, string>, string>();

function decoyFor(users: ReadonlyMap<string, string>): string {
  let decoy = decoys.get(users);
  if (decoy === undefined) {
    const cost = Number(/^\$2[abxy]\$(\d\d)\$/.exec(users.values().next().value ?? "")?.[1] ?? 10);
    decoy = Bun.password.hashSync(crypto.randomUUID(), { algorithm: "bcrypt", cost });
    decoys.set(users, decoy);
  }
  return decoy;
}

export function basicAuth(users: ReadonlyMap<string, string>): MiddlewareHandler {
  const verified = new Set<string>();
  const decoy = decoyFor(users);
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    if (verified.has(header) || (await check(header))) return next();
    return c.text("Unauthorized\n", 401, { "WWW-Authenticate": 'Basic realm="agent"' });
  };

  async function check(header: string): Promise<boolean> {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return false;
    const hash = users.get(decoded.slice(0, colon));
    let ok = false;
    try {
      ok = await Bun.password.verify(decoded.slice(colon + 1), hash ?? decoy, "bcrypt");
    } catch {
      ok = false;
    }
    ok &&= hash !== undefined;
    if (ok) {
      if (verified.size > 1000) verified.clear();
      verified.add(header);
    }
    return ok;
  }
}
