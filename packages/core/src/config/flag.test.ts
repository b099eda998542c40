import { expect, test } from "bun:test";
import { isWildcardHost, parseListenAddress } from "./flag.ts";

test("a listen address binds every interface when it names no host, 0.0.0.0 or ::", () => {
  for (const text of [":9100", "0.0.0.0:9100", "[::]:9100"]) expect(isWildcardHost(parseListenAddress(text).host)).toBe(true);
  for (const text of ["127.0.0.1:9100", "[::1]:9100", "localhost:9100"]) expect(isWildcardHost(parseListenAddress(text).host)).toBe(false);
});
