/**
 * The client half of XML-RPC (http://xmlrpc.com/spec.md) that supervisord speaks: one call, its response
 * parsed into plain values. Only what a methodResponse holds is understood; anything else is an error.
 */

export type XmlRpcValue = number | boolean | string | null | XmlRpcValue[] | { [member: string]: XmlRpcValue };

/** A methodResponse that carries a fault instead of a value. */
export class XmlRpcFault extends Error {}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? whole;
  });
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Start tags, end tags and text, with the prolog, comments and whitespace-only text left out. */
type Token = { tag: string; end: boolean; empty: boolean } | { text: string };

function tokenize(xml: string): Token[] {
  const out: Token[] = [];
  const re = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<(\/?)([A-Za-z_][\w.:-]*)[^>]*?(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(xml))) {
    if (m.index !== at) throw new Error(`XML-RPC: malformed XML at offset ${at}`);
    at = re.lastIndex;
    if (m[2] !== undefined) out.push({ tag: m[2], end: m[1] === "/", empty: m[3] === "/" });
    else if (m[4] !== undefined) out.push({ text: unescapeXml(m[4]) });
  }
  if (at !== xml.length) throw new Error(`XML-RPC: malformed XML at offset ${at}`);
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private skipBlank(): void {
    for (;;) {
      const t = this.tokens[this.i];
      if (t && "text" in t && t.text.trim() === "") this.i++;
      else return;
    }
  }

  /** Consumes <tag>, or <tag/> (returns false: nothing inside). */
  open(tag: string): boolean {
    this.skipBlank();
    const t = this.tokens[this.i++];
    if (!t || "text" in t || t.end || t.tag !== tag) throw new Error(`XML-RPC: expected <${tag}>`);
    return !t.empty;
  }

  close(tag: string): void {
    this.skipBlank();
    const t = this.tokens[this.i++];
    if (!t || "text" in t || !t.end || t.tag !== tag) throw new Error(`XML-RPC: expected </${tag}>`);
  }

  peekTag(): string | undefined {
    this.skipBlank();
    const t = this.tokens[this.i];
    return t && !("text" in t) && !t.end ? t.tag : undefined;
  }

  text(): string {
    const t = this.tokens[this.i];
    if (t && "text" in t) {
      this.i++;
      return t.text;
    }
    return "";
  }

  value(): XmlRpcValue {
    if (!this.open("value")) return "";
    // <value>text</value> without a type is a string.
    if (this.peekTag() === undefined) {
      const s = this.text();
      this.close("value");
      return s;
    }
    const type = this.peekTag()!;
    let v: XmlRpcValue;
    if (type === "struct" || type === "array") v = type === "struct" ? this.struct() : this.array();
    else {
      let inner = "";
      if (this.open(type)) {
        inner = this.text();
        this.close(type);
      }
      v = scalar(type, inner);
    }
    this.close("value");
    return v;
  }

  private struct(): { [member: string]: XmlRpcValue } {
    const out: { [member: string]: XmlRpcValue } = {};
    if (!this.open("struct")) return out;
    while (this.peekTag() === "member") {
      this.open("member");
      this.open("name");
      const name = this.text();
      this.close("name");
      out[name] = this.value();
      this.close("member");
    }
    this.close("struct");
    return out;
  }

  private array(): XmlRpcValue[] {
    const out: XmlRpcValue[] = [];
    if (!this.open("array")) return out;
    if (this.open("data")) {
      while (this.peekTag() === "value") out.push(this.value());
      this.close("data");
    }
    this.close("array");
    return out;
  }
}

function scalar(type: string, text: string): XmlRpcValue {
  switch (type) {
    case "int":
    case "i4":
    case "i8": {
      const n = Number(text.trim());
      if (!Number.isInteger(n)) throw new Error(`XML-RPC: "${text}" is not an ${type}`);
      return n;
    }
    case "double": {
      const n = Number(text.trim());
      if (Number.isNaN(n)) throw new Error(`XML-RPC: "${text}" is not a double`);
      return n;
    }
    case "boolean":
      return text.trim() === "1";
    case "nil":
      return null;
    case "string":
    case "dateTime.iso8601":
    case "base64":
      return text;
    default:
      throw new Error(`XML-RPC: unknown value type <${type}>`);
  }
}

/** Parses a methodResponse: its value, or an XmlRpcFault with the fault's string. */
export function parseMethodResponse(xml: string): XmlRpcValue {
  const p = new Parser(tokenize(xml));
  p.open("methodResponse");
  if (p.peekTag() === "fault") {
    p.open("fault");
    const f = p.value() as { faultCode?: XmlRpcValue; faultString?: XmlRpcValue };
    throw new XmlRpcFault(`XML-RPC fault ${String(f.faultCode)}: ${String(f.faultString)}`);
  }
  p.open("params");
  p.open("param");
  const v = p.value();
  p.close("param");
  p.close("params");
  p.close("methodResponse");
  return v;
}

/** A methodCall without parameters. */
export function methodCall(method: string): string {
  return `<?xml version="1.0"?>\n<methodCall><methodName>${escapeXml(method)}</methodName><params></params></methodCall>`;
}
