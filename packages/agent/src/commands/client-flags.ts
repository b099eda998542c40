/**
 * Flags `agent push` and `agent exec` share: where the store is, how to reach it, and the group. Parsed by
 * a walker of its own because these commands take repeated `--label` flags and positional words, which the
 * serve frame's parser (one value per flag, flags only) rightly refuses.
 */
import { readFileSync } from "node:fs";
import { ConfigError, didYouMean, flag, flagWords, formatHelp, type FlagSet, type FlagSpec, type FlagValues } from "@agent/core";
import type { PushClientOptions } from "@agent/push-client";

export const clientFlags = {
  gateway: flag.string("gateway", "", "Base URL of the push store (Pushgateway or agent's push role), e.g. http://gw:9091."),
  job: flag.string("job", "", "Job name: the first part of the grouping key."),
  label: flag.list("label", [], "Further grouping label NAME=VALUE; repeat the flag for more."),
  prefix: flag.string("prefix", "", "Put in front of every name=value metric name."),
  standardLabels: flag.bool("standard-labels", true, "Add host, Kubernetes node/pod, SLURM job id and CI pipeline id labels."),
  timeout: flag.duration("timeout", 5, "Whole time allowed for the push, retries included."),
  retries: flag.int("retries", 3, "Further attempts after a connection failure, timeout or 5xx."),
  caFile: flag.string("ca-file", "", "PEM file of the CA that signed the store's certificate."),
  certFile: flag.string("cert-file", "", "PEM client certificate, for stores that ask for one."),
  keyFile: flag.string("key-file", "", "PEM key of the client certificate."),
  serverName: flag.string("server-name", "", "Name to verify the store's certificate against, when not the URL's host."),
  username: flag.string("username", "", "Basic auth user name."),
  passwordFile: flag.string("password-file", "", "File holding the basic auth password (keeps it out of `ps`)."),
  password: flag.string("password", "", "Basic auth password (prefer --password-file)."),
  bearerTokenFile: flag.string("bearer-token-file", "", "File holding a bearer token."),
  spoolDir: flag.string("spool-dir", "", "Keep pushes that cannot be delivered here; the next successful push delivers them."),
  strict: flag.bool("strict", false, "A failed push is an error (exit 1) instead of a warning."),
} satisfies FlagSet;

export type ClientFlagValues = FlagValues<typeof clientFlags>;

export interface ParsedWords<F extends FlagSet> {
  values: FlagValues<F>;
  /** Every `--label NAME=VALUE`, in order. */
  labels: Record<string, string>;
  /** Words that are not flags (for push: name=value metrics). */
  positional: string[];
  /** For exec: the command, from the first non-flag word or after `--`. */
  command: string[];
  help: boolean;
}

function parseLabel(text: string): [string, string] {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new ConfigError(`--label: "${text}" is not NAME=VALUE`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/**
 * Reads the words after the subcommand. `commandStarts`: the first non-flag word begins a command whose own
 * flags are not ours (exec); otherwise non-flag words are collected as positional (push).
 */
export function parseWords<F extends FlagSet>(argv: readonly string[], flags: F, commandStarts: boolean): ParsedWords<F> {
  const byName = new Map<string, [string, FlagSpec<unknown>]>();
  for (const [key, spec] of Object.entries(flags)) byName.set(spec.name, [key, spec]);
  const raw = new Map<string, unknown>();
  const out = { labels: {} as Record<string, string>, positional: [] as string[], command: [] as string[], help: false };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      (commandStarts ? out.command : out.positional).push(...argv.slice(i + 1));
      break;
    }
    if (word === "-h" || word === "--help") {
      out.help = true;
      continue;
    }
    if (!word.startsWith("--")) {
      if (commandStarts) {
        out.command.push(...argv.slice(i));
        break;
      }
      out.positional.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : word.slice(eq + 1);
    const found = byName.get(name) ?? (name.startsWith("no-") ? byName.get(name.slice(3)) : undefined);
    if (!found) throw new ConfigError(`unknown flag --${name}${didYouMean(name, flagWords(Object.values(flags)))}`);
    const [key, spec] = found;
    if (spec.boolean) {
      raw.set(key, name.startsWith("no-") && name !== spec.name ? false : spec.parse(inline ?? true));
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new ConfigError(`--${name} needs a value`);
      value = argv[++i]!;
    }
    if (spec.name === "label") {
      const [k, v] = parseLabel(value);
      out.labels[k] = v;
      continue;
    }
    raw.set(key, spec.parse(value));
  }
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(flags)) values[key] = raw.has(key) ? raw.get(key) : spec.default;
  return { ...out, values: values as FlagValues<F> };
}

function readSecret(path: string, flagName: string): string {
  try {
    return readFileSync(path, "utf8").trim();
  } catch (e) {
    throw new ConfigError(`--${flagName}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Library options from the shared flags; `job` is checked by the caller, which knows if it needs one. */
export function clientOptions(v: ClientFlagValues, labels: Record<string, string>, onWarning: (m: string) => void): PushClientOptions {
  if (!v.gateway) throw new ConfigError("--gateway is required (e.g. --gateway http://pushgateway:9091)");
  if (!/^https?:\/\/[^/]/.test(v.gateway)) throw new ConfigError(`--gateway: "${v.gateway}" is not an http:// or https:// URL`);
  if (v.password && v.passwordFile) throw new ConfigError("--password and --password-file: give one of them");
  if ((v.password || v.passwordFile) && !v.username) throw new ConfigError("--password needs --username");
  if (Boolean(v.certFile) !== Boolean(v.keyFile)) throw new ConfigError("--cert-file and --key-file go together");
  if (!(v.timeout > 0)) throw new ConfigError("--timeout must be more than 0");
  const password = v.passwordFile ? readSecret(v.passwordFile, "password-file") : v.password;
  return {
    gateway: v.gateway,
    job: v.job,
    groupingKey: labels,
    prefix: v.prefix || undefined,
    standardLabels: v.standardLabels,
    timeoutSeconds: v.timeout,
    retries: v.retries,
    tls: {
      caFile: v.caFile || undefined,
      certFile: v.certFile || undefined,
      keyFile: v.keyFile || undefined,
      serverName: v.serverName || undefined,
    },
    basicAuth: v.username ? { username: v.username, password } : undefined,
    bearerToken: v.bearerTokenFile ? readSecret(v.bearerTokenFile, "bearer-token-file") : undefined,
    spoolDir: v.spoolDir || undefined,
    strict: v.strict,
    onWarning,
  };
}

export function usageText(usage: string, title: string, flags: FlagSet): string {
  return formatHelp(usage, [{ title, flags }]);
}
