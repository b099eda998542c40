/** Value formats procfs and /etc print that need more than Number(): Go's integer literals, env files, USER_HZ ticks. */
import { lines } from "./fields.ts";

/** Shell-style `KEY=value` / `KEY="value"` files (os-release). */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let v = line.slice(eq + 1).trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
      v = v.slice(1, -1);
      if (line[eq + 1] === '"') v = v.replace(/\\(["\\$`])/g, "$1");
    }
    out.set(line.slice(0, eq).trim(), v);
  }
  return out;
}

/** USER_HZ: /proc/stat ticks per second, fixed at 100 on every Linux ABI node_exporter supports. */
export const USER_HZ = 100;

/**
 * An integer as Go's strconv.ParseInt(s, 0, 64) reads it, which procfs uses for sysctl and zoneinfo values:
 * decimal, or with a 0x, 0o, 0b or bare leading-0 (octal) prefix. NaN when it is none of those.
 */
export function goInt(s: string): number {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/.exec(s);
  if (!m) return NaN;
  const v = m[2] ? parseInt(m[2], 16) : m[3] ? parseInt(m[3], 8) : m[4] ? parseInt(m[4], 2) : Number(m[5]);
  return m[1] === "-" ? -v : v;
}
