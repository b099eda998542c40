/**
 * A push request's body -> parsed families: size limit (before and after gzip), gzip, protobuf-delimited
 * when the Content-Type says so exactly as Pushgateway checks it, text format 0.0.4 otherwise (also when
 * no Content-Type is sent, as prom-client does).
 */
import { gunzipSync } from "node:zlib";
import { decodeDelimited, ParseError, parseText, type MetricFamily } from "@agent/core";
import { PushRejected } from "./families.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

function tooLarge(maxBytes: number): PushRejected {
  return new PushRejected(`request body is larger than --push.max-body-bytes=${maxBytes} bytes`, "too_large", 413, false);
}

/** `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`, parameters in any order. */
export function isProtobufDelimited(contentType: string | null): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(";");
  if (type!.trim().toLowerCase() !== "application/vnd.google.protobuf") return false;
  const p = new Map<string, string>();
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq < 0) continue;
    p.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1"));
  }
  return p.get("proto") === "io.prometheus.client.MetricFamily" && p.get("encoding") === "delimited";
}

export async function readPushBody(req: Request, maxBytes: number): Promise<MetricFamily[]> {
  const declared = Number(req.headers.get("content-length"));
  if (declared > maxBytes) throw tooLarge(maxBytes);
  let bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding === "gzip") {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) throw tooLarge(maxBytes);
      throw new PushRejected(`gzip: ${(e as Error).message}`, "bad_encoding", 400, false);
    }
  } else if (encoding !== "" && encoding !== "identity") {
    throw new PushRejected(`unsupported Content-Encoding ${JSON.stringify(encoding)} (use gzip or none)`, "bad_encoding", 415, false);
  }
  try {
    if (isProtobufDelimited(req.headers.get("content-type"))) return decodeDelimited(bytes);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new ParseError("request body is not valid UTF-8", 0);
    }
    return parseText(text);
  } catch (e) {
    if (e instanceof ParseError) throw new PushRejected(e.message, "parse", 400, false);
    throw e;
  }
}
