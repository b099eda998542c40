/**
 * `agent push`: push exposition text from stdin, or `name=value` metrics, from shell scripts and cron.
 * A failed push is one warning on stderr and exit 0, so `set -e` scripts go on; `--strict` makes it exit 1.
 */
import { ConfigError, flag, isValidMetricName, ParseError, parseGoFloat, parseText } from "@agent/core";
import { PushClient, PushError, type MetricInput } from "@agent/push-client";
import { clientFlags, clientOptions, parseWords, usageText } from "./client-flags.ts";

const pushFlags = {
  ...clientFlags,
  method: flag.choice("method", "put", ["put", "post"], "put replaces the whole group, post only the metrics pushed."),
  delete: flag.bool("delete", false, "Delete the group instead of pushing."),
  flush: flag.bool("flush", false, "Deliver what --spool-dir holds for --gateway, and nothing else."),
};

const USAGE = `Usage: agent push --gateway URL --job NAME [flags] [name=value ...]
Pushes the name=value metrics given, or exposition text read from stdin.
       agent push --gateway URL --job NAME [--label k=v ...] --delete
       agent push --gateway URL --spool-dir DIR --flush`;

const warn = (message: string) => process.stderr.write(`agent push: warning: ${message}\n`);

function metricArgument(word: string): MetricInput {
  const eq = word.indexOf("=");
  const name = word.slice(0, eq);
  const value = eq > 0 ? parseGoFloat(word.slice(eq + 1)) : undefined;
  if (eq <= 0 || !isValidMetricName(name)) throw new ConfigError(`"${word}" is not name=value with a valid metric name`);
  if (value === undefined) throw new ConfigError(`"${word}": "${word.slice(eq + 1)}" is not a number`);
  return { name, value, type: name.endsWith("_total") ? "counter" : "gauge" };
}

async function readStdinMetrics(): Promise<string> {
  if (process.stdin.isTTY) throw new ConfigError("nothing to push: give name=value metrics or pipe exposition text to stdin");
  const read = await Bun.stdin.text();
  const text = read.endsWith("\n") ? read : read + "\n";
  if (text.trim() === "") throw new ConfigError("nothing to push: stdin was empty (use --delete to remove a group)");
  try {
    parseText(text);
  } catch (e) {
    if (e instanceof ParseError) throw new ConfigError(`stdin: ${e.message}`);
    throw e;
  }
  return text;
}

async function run(argv: string[]): Promise<number> {
  const words = parseWords(argv, pushFlags, false);
  if (words.help) {
    process.stdout.write(usageText(USAGE, "agent push", pushFlags));
    return 0;
  }
  const v = words.values;
  const client = new PushClient(clientOptions(v, words.labels, warn));
  if (v.flush) {
    if (!v.spoolDir) throw new ConfigError("--flush needs --spool-dir");
    if (v.delete || words.positional.length) throw new ConfigError("--flush takes no metrics and no --delete");
    const flushed = await client.flushSpool();
    process.stdout.write(`delivered ${flushed.delivered} spooled push(es), ${flushed.remaining} left\n`);
    if (flushed.ok) return 0;
    if (v.strict) throw new PushError("network", `flush stopped: ${flushed.error}`);
    warn(`flush stopped: ${flushed.error}`);
    return 0;
  }
  if (!v.job) throw new ConfigError("--job is required");
  // A failure has been warned about by the library (or thrown, with --strict); either way the script goes on.
  if (v.delete) {
    if (words.positional.length) throw new ConfigError("--delete takes no metrics");
    await client.delete();
    return 0;
  }
  const metrics = words.positional.length ? words.positional.map(metricArgument) : await readStdinMetrics();
  await (v.method === "post" ? client.pushAdd(metrics) : client.push(metrics));
  return 0;
}

export async function runPushCommand(argv: string[]): Promise<number> {
  try {
    return await run(argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`agent push: ${e.message}\n\n${usageText(USAGE, "agent push", pushFlags)}`);
      return 2;
    }
    if (e instanceof PushError) {
      process.stderr.write(`agent push: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
