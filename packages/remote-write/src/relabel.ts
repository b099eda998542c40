/**
 * `write_relabel_configs`: Prometheus's relabelling rules, applied to each series (labels with `__name__`)
 * before it is queued. Regexes are fully anchored as Prometheus anchors them; replacements expand `$1`,
 * `${1}` and `$name` as Go's `regexp.Expand` does.
 */
import { ConfigError, isValidLabelName } from "@agent/core";

const ACTIONS = ["replace", "keep", "drop", "keepequal", "dropequal", "hashmod", "labelmap", "labeldrop", "labelkeep", "lowercase", "uppercase"] as const;
type Action = (typeof ACTIONS)[number];

export interface RelabelRule {
  sourceLabels: string[];
  separator: string;
  regex: RegExp;
  modulus: number;
  targetLabel: string;
  replacement: string;
  action: Action;
}

/** A series' labels, `__name__` included; rules change it in place. */
export type LabelMap = Map<string, string>;

const KEYS = ["source_labels", "separator", "regex", "modulus", "target_label", "replacement", "action"];

export function parseRelabelConfigs(raw: unknown, where: string): RelabelRule[] {
  if (!Array.isArray(raw)) throw new ConfigError(`${where}: expected a list of rules`);
  return raw.map((item, i) => parseRule(item, `${where}[${i}]`));
}

function parseRule(raw: unknown, where: string): RelabelRule {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConfigError(`${where}: expected a mapping`);
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(r)) if (!KEYS.includes(key)) throw new ConfigError(`${where}: unknown key "${key}" (known: ${KEYS.join(", ")})`);
  const action = (r.action ?? "replace") as Action;
  if (!ACTIONS.includes(action)) throw new ConfigError(`${where}.action: "${String(r.action)}" is not one of ${ACTIONS.join(", ")}`);
  const sourceLabels = r.source_labels === undefined ? [] : r.source_labels;
  if (!Array.isArray(sourceLabels) || !sourceLabels.every((s) => typeof s === "string")) throw new ConfigError(`${where}.source_labels: expected a list of label names`);
  const text = (key: string, def: string) => {
    const v = r[key] ?? def;
    if (typeof v !== "string") throw new ConfigError(`${where}.${key}: expected a string`);
    return v;
  };
  const source = text("regex", "(.*)");
  let regex: RegExp;
  try {
    // RE2's (?P<name>...) is JavaScript's (?<name>...).
    regex = new RegExp(`^(?:${source.replaceAll("(?P<", "(?<")})$`);
  } catch (e) {
    throw new ConfigError(`${where}.regex: ${(e as Error).message}`);
  }
  const rule: RelabelRule = {
    sourceLabels,
    separator: text("separator", ";"),
    regex,
    modulus: typeof r.modulus === "number" ? r.modulus : 0,
    targetLabel: text("target_label", ""),
    replacement: text("replacement", "$1"),
    action,
  };
  const needsTarget = ["replace", "hashmod", "lowercase", "uppercase", "keepequal", "dropequal"].includes(action);
  if (needsTarget && rule.targetLabel === "") throw new ConfigError(`${where}: action ${action} needs target_label`);
  if (action === "hashmod" && !(Number.isInteger(rule.modulus) && rule.modulus > 0)) throw new ConfigError(`${where}: action hashmod needs a modulus >= 1`);
  if (["lowercase", "uppercase", "hashmod", "keepequal", "dropequal"].includes(action) && !isValidLabelName(rule.targetLabel)) {
    throw new ConfigError(`${where}.target_label: "${rule.targetLabel}" is not a valid label name`);
  }
  return rule;
}

/** Go's `regexp.Expand` over a JavaScript match: `$$`, `$1`, `${1}`, `$name`; an unknown group expands to "". */
function expand(template: string, m: RegExpExecArray): string {
  return template.replace(/\$(?:\$|\{(\w+)\}|(\w+))/g, (all, braced?: string, bare?: string) => {
    const ref = braced ?? bare;
    if (ref === undefined) return "$";
    const v = /^\d+$/.test(ref) ? m[Number(ref)] : m.groups?.[ref];
    return v ?? "";
  });
}

/**
 * Prometheus's hashmod: the MD5's last 8 bytes as a big-endian integer, modulo `modulus` (its sum64 shifts
 * the first 8 bytes out of a uint64), so that targets shard the same way here as there.
 */
function hashmod(value: string, modulus: number): number {
  const d = new Bun.CryptoHasher("md5").update(value).digest();
  return Number(new DataView(d.buffer, d.byteOffset).getBigUint64(8) % BigInt(modulus));
}

/** Applies every rule in order; false when the series is dropped. */
export function relabel(labels: LabelMap, rules: readonly RelabelRule[]): boolean {
  for (const rule of rules) {
    const value = rule.sourceLabels.map((n) => labels.get(n) ?? "").join(rule.separator);
    switch (rule.action) {
      case "keep":
        if (!rule.regex.test(value)) return false;
        break;
      case "drop":
        if (rule.regex.test(value)) return false;
        break;
      case "keepequal":
        if (value !== (labels.get(rule.targetLabel) ?? "")) return false;
        break;
      case "dropequal":
        if (value === (labels.get(rule.targetLabel) ?? "")) return false;
        break;
      case "replace": {
        const m = rule.regex.exec(value);
        if (!m) break;
        const target = expand(rule.targetLabel, m);
        if (!isValidLabelName(target)) break;
        const v = expand(rule.replacement, m);
        if (v === "") labels.delete(target);
        else labels.set(target, v);
        break;
      }
      case "lowercase":
        labels.set(rule.targetLabel, value.toLowerCase());
        break;
      case "uppercase":
        labels.set(rule.targetLabel, value.toUpperCase());
        break;
      case "hashmod":
        labels.set(rule.targetLabel, String(hashmod(value, rule.modulus)));
        break;
      case "labelmap":
        for (const [name, v] of [...labels]) {
          const m = rule.regex.exec(name);
          if (m) labels.set(expand(rule.replacement, m), v);
        }
        break;
      case "labeldrop":
        for (const name of [...labels.keys()]) if (rule.regex.test(name)) labels.delete(name);
        break;
      case "labelkeep":
        for (const name of [...labels.keys()]) if (!rule.regex.test(name)) labels.delete(name);
        break;
    }
  }
  return labels.has("__name__") && labels.get("__name__") !== "";
}
