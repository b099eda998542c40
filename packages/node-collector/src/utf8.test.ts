import { describe, expect, test } from "bun:test";
import { utf8Label } from "./utf8.ts";

const latin1 = (bytes: number[]) => Buffer.from(bytes).toString("latin1");

describe("utf8Label", () => {
  test("ASCII passes through", () => {
    expect(utf8Label("Supermicro X12")).toBe("Supermicro X12");
  });

  test("UTF-8 bytes read as latin1 become the characters they encode", () => {
    expect(utf8Label(latin1([0x64, 0x6f, 0x6e, 0x6e, 0xc3, 0xa9, 0x65, 0x73]))).toBe("données");
  });

  test("a run of invalid bytes becomes one replacement character", () => {
    expect(utf8Label(latin1([0x61, 0xff, 0xfe, 0x62]))).toBe("a\uFFFDb");
  });

  test("a U+FFFD in the text stays, beside a run of invalid bytes too, as Go's strings.ToValidUTF8 keeps it", () => {
    expect(utf8Label(latin1([0x4d, 0xef, 0xbf, 0xbd, 0xff, 0x4e]))).toBe("M\uFFFD\uFFFDN");
    expect(utf8Label(latin1([0xef, 0xbf, 0xbd, 0xef, 0xbf, 0xbd]))).toBe("\uFFFD\uFFFD");
  });

  test("overlong forms and surrogates are invalid bytes, as Go decodes them", () => {
    expect(utf8Label(latin1([0x61, 0xc0, 0xaf, 0x62]))).toBe("a\uFFFDb");
    expect(utf8Label(latin1([0x61, 0xed, 0xa0, 0x80, 0x62]))).toBe("a\uFFFDb");
    expect(utf8Label(latin1([0xf0, 0x9f, 0x99, 0x82]))).toBe("🙂");
  });
});
