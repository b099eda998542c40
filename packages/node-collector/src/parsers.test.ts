import { describe, expect, test } from "bun:test";
import { headerTable, keyValues, splitAtNumber } from "./parsers.ts";

describe("headerTable", () => {
  test.each([
    ["lnstat: a header, a row per CPU", "entries  searched found\n0000000a 00000001 00000002\n0000000b 00000003 00000004\n", ["entries", "searched", "found"], [["0000000a", "00000001", "00000002"], ["0000000b", "00000003", "00000004"]]],
    ["softirqs: the header is one short of each row's name column", "      CPU0  CPU1\nHI:   1  2\nTIMER: 3 4\n", ["CPU0", "CPU1"], [["HI:", "1", "2"], ["TIMER:", "3", "4"]]],
    ["no trailing newline, blank lines skipped", "a b\n\n1 2", ["a", "b"], [["1", "2"]]],
    ["a header alone", "a b\n", ["a", "b"], []],
    ["empty text", "", [], []],
  ])("%s", (_, text, header, rows) => {
    expect(headerTable(text)).toEqual({ header, rows });
  });
});

describe("keyValues", () => {
  test.each([
    ["cpuinfo: padded keys and values", "processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\nflags\t\t: fpu vme\n", [["processor", "0"], ["model name", "Intel(R) Xeon(R)"], ["flags", "fpu vme"]]],
    ["a value holding the separator keeps it", "time: 12:30:01\n", [["time", "12:30:01"]]],
    ["lines without a key or separator are skipped", "no separator\n: no key\nk: v\n", [["k", "v"]]],
    ["a repeated key keeps its first value", "k: 1\nk: 2\n", [["k", "1"]]],
    ["an empty value", "k:\n", [["k", ""]]],
  ])("%s", (_, text, pairs) => {
    expect([...keyValues(text)]).toEqual(pairs as [string, string][]);
  });

  test("another separator", () => {
    expect([...keyValues("a=1\nb = 2\n", "=")]).toEqual([["a", "1"], ["b", "2"]]);
  });
});

describe("splitAtNumber", () => {
  test.each([
    ["temp1_crit_alarm", ["temp", "1", "_crit_alarm"]],
    ["in10_input", ["in", "10", "_input"]],
    ["fan2", ["fan", "2", ""]],
    ["beep_enable", ["beep_enable", "", ""]],
    ["", ["", "", ""]],
  ])("%s", (name, parts) => {
    expect(splitAtNumber(name)).toEqual(parts as [string, string, string]);
  });
});
