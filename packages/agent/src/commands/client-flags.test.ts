import { expect, test } from "bun:test";
import { ConfigError } from "@agent/core";
import { clientFlags, clientOptions, parseWords } from "./client-flags.ts";

test("repeated --label, --no- booleans, inline and separate values, positional words", () => {
  const w = parseWords(
    ["--gateway=http://gw:9091", "--job", "etl", "--label", "a=1", "--label=b=x=y", "--no-standard-labels", "--timeout", "1m30s", "rows_total=5"],
    clientFlags,
    false,
  );
  expect(w.values.gateway).toBe("http://gw:9091");
  expect(w.values.job).toBe("etl");
  expect(w.values.standardLabels).toBe(false);
  expect(w.values.timeout).toBe(90);
  expect(w.values.retries).toBe(3);
  expect(w.labels).toEqual({ a: "1", b: "x=y" });
  expect(w.positional).toEqual(["rows_total=5"]);
  expect(w.command).toEqual([]);
});

test("for exec, the command starts at the first non-flag word or after --, its flags untouched", () => {
  expect(parseWords(["--job", "j", "ls", "--job", "-l"], clientFlags, true).command).toEqual(["ls", "--job", "-l"]);
  expect(parseWords(["--job", "j", "--", "--weird-name"], clientFlags, true).command).toEqual(["--weird-name"]);
});

test("errors name the flag", () => {
  expect(() => parseWords(["--nope"], clientFlags, false)).toThrow(/unknown flag --nope/);
  expect(() => parseWords(["--job"], clientFlags, false)).toThrow(/--job needs a value/);
  expect(() => parseWords(["--label", "x"], clientFlags, false)).toThrow(/--label/);
  expect(() => parseWords(["--retries", "-1"], clientFlags, false)).toThrow(ConfigError);
});

test("library options: TLS files, auth, and the combinations that make no sense", () => {
  const v = parseWords(["--gateway", "https://gw", "--job", "j", "--ca-file", "/ca.pem", "--username", "u", "--password", "p"], clientFlags, false).values;
  const opts = clientOptions(v, { team: "ml" }, () => {});
  expect(opts).toMatchObject({ gateway: "https://gw", job: "j", groupingKey: { team: "ml" }, tls: { caFile: "/ca.pem" }, basicAuth: { username: "u", password: "p" } });
  const bad = (args: string[]) => () => clientOptions(parseWords(["--gateway", "http://gw", ...args], clientFlags, false).values, {}, () => {});
  expect(bad(["--password", "p"])).toThrow(/--username/);
  expect(bad(["--timeout", "0"])).toThrow(/--timeout/);
  expect(bad(["--key-file", "/k"])).toThrow(/go together/);
  expect(bad(["--username", "u", "--password-file", "/nonexistent"])).toThrow(/--password-file/);
});
