/**
 * Basic authentication against bcrypt hashes. bcrypt is deliberately slow (tens of ms), so a successful
 * check is remembered by a hash of the exact header; Prometheus sends the same header on every scrape.
 */
import type { MiddlewareHandler } from "hono";

export function basicAuth(users: ReadonlyMap<string, string>): MiddlewareHandler {
  const verified = new Set<string>();
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
    if (!hash) return false;
    let ok = false;
    try {
      ok = await Bun.password.verify(decoded.slice(colon + 1), hash, "bcrypt");
    } catch {
      ok = false;
    }
    if (ok) {
      if (verified.size > 1000) verified.clear();
      verified.add(header);
    }
    return ok;
  }
}
