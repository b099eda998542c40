/**
 * Expiry: how long a group lives after its last push. A per-push `X-Push-TTL` header wins, then the first
 * config-file rule whose regexes all match the grouping labels, then `--push.default-ttl`.
 */
import { BadRequest, ConfigError, parseDuration } from "@agent/core";
import type { GroupLabels } from "./grouping-key.ts";

export interface TtlRule {
  /** Label name -> fully anchored regex over its value ("" when the group lacks the label). */
  match: ReadonlyMap<string, RegExp>;
  /** Seconds; 0 keeps matching groups forever. */
  ttl: number;
}

/** Validates `push.ttl_rules` from the config file: `[{match: {job: "ci-.*"}, ttl: 2h}]`. */
export function parseTtlRules(raw: unknown): TtlRule[] {
  if (!Array.isArray(raw)) throw new ConfigError("expected a list of {match: {label: regex}, ttl: duration}");
  return raw.map((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw new ConfigError(`rule ${i + 1} is not a mapping`);
    const { match, ttl, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new ConfigError(`rule ${i + 1}: unknown key "${extra[0]}" (expected match, ttl)`);
    if (typeof match !== "object" || match === null || Array.isArray(match) || Object.keys(match).length === 0) {
      throw new ConfigError(`rule ${i + 1}: "match" must map label names to regular expressions`);
    }
    const regexes = new Map<string, RegExp>();
    for (const [label, re] of Object.entries(match)) {
      if (typeof re !== "string") throw new ConfigError(`rule ${i + 1}: match.${label} must be a string`);
      try {
        regexes.set(label, new RegExp(`^(?:${re})$`));
      } catch (e) {
        throw new ConfigError(`rule ${i + 1}: match.${label}: ${(e as Error).message}`);
      }
    }
    let seconds: number;
    if (typeof ttl === "number") seconds = ttl;
    else if (typeof ttl === "string") {
      try {
        seconds = parseDuration(ttl);
      } catch (e) {
        throw new ConfigError(`rule ${i + 1}: ttl: ${(e as Error).message}`);
      }
    } else throw new ConfigError(`rule ${i + 1}: "ttl" must be a duration such as 2h`);
    if (!(seconds >= 0)) throw new ConfigError(`rule ${i + 1}: ttl must not be negative`);
    return { match: regexes, ttl: seconds };
  });
}

export class TtlPolicy {
  constructor(
    private readonly defaultTtl: number,
    private readonly rules: readonly TtlRule[],
  ) {}

  /** Seconds a group with these labels lives; `header` is the raw X-Push-TTL value, if any. Throws BadRequest on a bad header. */
  ttlFor(labels: GroupLabels, header: string | undefined): number {
    if (header !== undefined && header.trim() !== "") {
      try {
        return parseDuration(header);
      } catch (e) {
        throw new BadRequest(`X-Push-TTL: ${(e as Error).message}`);
      }
    }
    for (const rule of this.rules) {
      let all = true;
      for (const [name, re] of rule.match) {
        if (!re.test(labels[name] ?? "")) {
          all = false;
          break;
        }
      }
      if (all) return rule.ttl;
    }
    return this.defaultTtl;
  }
}
