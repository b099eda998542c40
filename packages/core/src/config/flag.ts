/**
 * Flag specifications. A role declares its flags as one object of specs; the parser turns command-line
 * words and config-file values into a typed object of the same shape. Adding a flag is one line:
 *
 *   ttl: flag.duration("push.default-ttl", 0, "Drop a group this long after its last push (0: never)."),
 */

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

export interface FlagSpec<T> {
  /** The flag's name without leading dashes; also its dotted key in the config file. */
  readonly name: string;
  readonly help: string;
  readonly default: T;
  /** Boolean flags take no value on the command line and have a `--no-` form. */
  readonly boolean: boolean;
  /** Only settable from the config file (structured values such as lists of rules). */
  readonly fileOnly: boolean;
  /**
   * Each use on the command line adds one value (kingpin's repeatable flags); the raw value is then an array.
   * Lists are repeatable, so `--x=a --x=b` and `--x=a,b` mean the same.
   */
  readonly repeatable?: boolean;
  /** Turns a command-line string or a config-file value into T, or throws ConfigError. */
  parse(raw: unknown): T;
  /** The default as `--help` shows it. */
  show(value: T): string;
}

export type FlagSet = Readonly<Record<string, FlagSpec<unknown>>>;
export type FlagValues<F extends FlagSet> = { -readonly [K in keyof F]: F[K] extends FlagSpec<infer T> ? T : never };

/** Flag name -> its value as --help writes values, for status pages (Pushgateway's /api/v1/status and /status). */
export function shownFlags<F extends FlagSet>(flags: F, values: FlagValues<F>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, spec] of Object.entries(flags)) out[spec.name] = spec.show(values[key as keyof F]);
  return out;
}

function spec<T>(
  name: string,
  help: string,
  def: T,
  parse: (raw: unknown) => T,
  opts: { boolean?: boolean; fileOnly?: boolean; repeatable?: boolean; show?: (v: T) => string } = {},
): FlagSpec<T> {
  return {
    name,
    help,
    default: def,
    boolean: opts.boolean ?? false,
    fileOnly: opts.fileOnly ?? false,
    repeatable: opts.repeatable ?? false,
    parse(raw) {
      try {
        return parse(raw);
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(`--${name}: ${e.message}`);
        throw e;
      }
    },
    show: opts.show ?? ((v) => (v === undefined ? "" : String(v))),
  };
}

function asString(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean") return String(raw);
  throw new ConfigError(`expected a string, got ${JSON.stringify(raw)}`);
}

/**
 * A comma-separated string, or several (a repeated flag, a YAML list), items trimmed, empty ones dropped.
 */
function splitList(raw: unknown): string[] {
  const items = (Array.isArray(raw) ? raw : [raw]).flatMap((r) => asString(r).split(","));
  return items.map((s) => s.trim()).filter((s) => s !== "");
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Prometheus-style durations: `90s`, `1h30m`, `500ms`, `0`. Returns seconds. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === "0") return 0;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s); // bare number: seconds
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (matched === 0 || matched !== s.length) throw new ConfigError(`"${text}" is not a duration (e.g. 90s, 5m, 1h30m)`);
  return total;
}

export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  let rest = seconds;
  let out = "";
  for (const [unit, size] of [["h", 3600], ["m", 60]] as const) {
    if (rest >= size) {
      out += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return rest ? `${out}${rest}s` : out;
}

const BYTE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1048576, mb: 1048576, mib: 1048576, g: 1073741824, gb: 1073741824, gib: 1073741824 };

/** `16MiB`, `512KB`, `1048576`. Returns bytes. */
export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new ConfigError(`"${text}" is not a size (e.g. 16MiB, 512KiB, 1048576)`);
  return Math.floor(Number(m[1]) * unit);
}

export interface ListenAddress {
  /** "" means every interface. */
  host: string;
  port: number;
  /** As the user wrote it, for messages. */
  text: string;
}

/** Whether a listen host binds every interface: none given, `0.0.0.0` or `::` (brackets allowed). */
export function isWildcardHost(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** `:9100`, `127.0.0.1:9100`, `[::1]:9100`, `localhost:9100`. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]\s]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw new ConfigError(`"${text}" is not a listen address (host:port, e.g. :9100 or 127.0.0.1:9100)`);
  return { host: m[1] ?? m[2] ?? "", port, text: text.trim() };
}

export const flag = {
  string(name: string, def: string, help: string): FlagSpec<string> {
    return spec(name, help, def, asString);
  },
  /** A string restricted to a set of choices. */
  choice<const C extends string>(name: string, def: NoInfer<C>, choices: readonly C[], help: string): FlagSpec<C> {
    return spec(name, `${help} One of: ${choices.join(", ")}.`, def, (raw) => {
      const v = asString(raw);
      if (!(choices as readonly string[]).includes(v)) throw new ConfigError(`"${v}" is not one of ${choices.join(", ")}`);
      return v as C;
    });
  },
  bool(name: string, def: boolean, help: string): FlagSpec<boolean> {
    return spec(
      name,
      help,
      def,
      (raw) => {
        if (typeof raw === "boolean") return raw;
        const v = asString(raw).toLowerCase();
        if (["true", "1", "yes", "on"].includes(v)) return true;
        if (["false", "0", "no", "off"].includes(v)) return false;
        throw new ConfigError(`"${v}" is not a boolean (true or false)`);
      },
      { boolean: true },
    );
  },
  int(name: string, def: number, help: string, min = 0): FlagSpec<number> {
    return spec(name, help, def, (raw) => {
      const v = typeof raw === "number" ? raw : Number(asString(raw).trim());
      if (!Number.isInteger(v) || v < min) throw new ConfigError(`"${raw}" is not a whole number >= ${min}`);
      return v;
    });
  },
  /** Seconds; written as a Prometheus duration. */
  duration(name: string, defSeconds: number, help: string): FlagSpec<number> {
    return spec(name, help, defSeconds, (raw) => (typeof raw === "number" ? raw : parseDuration(asString(raw))), {
      show: formatDuration,
    });
  },
  bytes(name: string, def: number, help: string): FlagSpec<number> {
    return spec(name, help, def, (raw) => (typeof raw === "number" ? raw : parseBytes(asString(raw))));
  },
  address(name: string, def: string, help: string): FlagSpec<ListenAddress> {
    return spec(name, help, parseListenAddress(def), (raw) => parseListenAddress(asString(raw)), { show: (a) => a.text });
  },
  /** A regular expression, anchored as Go's regexp users expect from node_exporter flags (not anchored). */
  regex(name: string, def: string, help: string): FlagSpec<RegExp | undefined> {
    return spec(
      name,
      help,
      def === "" ? undefined : new RegExp(def),
      (raw) => {
        const v = asString(raw);
        if (v === "") return undefined;
        try {
          return new RegExp(v);
        } catch (e) {
          throw new ConfigError(`"${v}" is not a valid regular expression: ${(e as Error).message}`);
        }
      },
      { show: (r) => r?.source ?? "" },
    );
  },
  /** Comma-separated and repeatable on the command line; a YAML list or a comma string in the file. */
  list(name: string, def: readonly string[], help: string): FlagSpec<string[]> {
    return spec(
      name,
      help,
      [...def],
      splitList,
      { repeatable: true, show: (v) => v.join(",") },
    );
  },
  /** A list whose items must come from `choices`; an unknown one is rejected when the flags are parsed. */
  choiceList<const C extends string>(name: string, def: readonly NoInfer<C>[], choices: readonly C[], help: string): FlagSpec<C[]> {
    return spec(
      name,
      `${help} Any of: ${choices.join(", ")}.`,
      [...def],
      (raw) => {
        const items = splitList(raw);
        const unknown = items.find((v) => !(choices as readonly string[]).includes(v));
        if (unknown !== undefined) throw new ConfigError(`"${unknown}" is not one of ${choices.join(", ")}`);
        return [...new Set(items)] as C[];
      },
      { repeatable: true, show: (v) => v.join(",") },
    );
  },
  /**
   * Given once per value (`--x=a --x=b`), for values that may hold commas themselves; a YAML list in the file.
   */
  repeated(name: string, help: string): FlagSpec<string[]> {
    return spec(name, `${help} Repeat the flag for more than one.`, [], (raw) => (Array.isArray(raw) ? raw : [raw]).map(asString), {
      repeatable: true,
      show: (v) => v.join(" "),
    });
  },
  /** A structured value only the config file can carry; `parse` validates it. */
  fileOnly<T>(name: string, def: T, help: string, parse: (raw: unknown) => T): FlagSpec<T> {
    return spec(name, help, def, parse, { fileOnly: true, show: () => "(config file only)" });
  },
};
