/** Structured logging: logfmt (default) or JSON lines on stderr, filtered by --log.level. */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFormat = "logfmt" | "json";
export type LogFields = Record<string, string | number | boolean | undefined | null>;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line, e.g. `{ role: "push" }`. */
  child(fields: LogFields): Logger;
}

function logfmtValue(v: unknown): string {
  const s = String(v);
  return s === "" || /[\s"=\\]/.test(s) ? JSON.stringify(s) : s;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: LogFormat;
  /** Where lines go; stderr by default (tests capture it). */
  write?: (line: string) => void;
}

export function createLogger(opts: LoggerOptions = {}, base: LogFields = {}): Logger {
  const min = RANK[opts.level ?? "info"];
  const format = opts.format ?? "logfmt";
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < min) return;
    const all: LogFields = { ts: new Date().toISOString(), level, ...base, msg, ...fields };
    if (format === "json") {
      write(JSON.stringify(all) + "\n");
      return;
    }
    let line = "";
    for (const [k, v] of Object.entries(all)) if (v !== undefined) line += (line ? " " : "") + k + "=" + logfmtValue(v);
    write(line + "\n");
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger(opts, { ...base, ...fields }),
  };
}
