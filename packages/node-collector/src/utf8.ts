/**
 * read.ts decodes files as latin1 (one char per byte: cheap, and exact for numbers). Strings that become
 * label values must be UTF-8 text: this re-decodes them, each run of invalid bytes becoming one U+FFFD as
 * node_exporter's strings.ToValidUTF8(value, "\uFFFD") does.
 */
const ASCII = /^[\x00-\x7f]*$/;
const decoder = new TextDecoder("utf-8");

export function utf8Label(latin1: string): string {
  if (ASCII.test(latin1)) return latin1;
  return decoder.decode(Buffer.from(latin1, "latin1")).replace(/\uFFFD+/g, "\uFFFD");
}
