/**
 * A push request's body -> parsed families: size limit (before and after gzip), gzip, protobuf-delimited
 * when the Content-Type says so exactly as Pushgateway checks it, text format 0.0.4 otherwise (also when
 * no Content-Type is sent, as prom-client does). The body is read as a stream with a running count, so a
 * chunked body (no Content-Length) or a gzip bomb is refused after `maxBytes`, never held whole, and all the
 * bodies being read at once share one budget, so many large uploads together cannot exhaust memory either.
 */
import { decodeDelimited, ParseError, parseText, type MetricFamily, type NameValidation } from "@agent/core";
import { PushRejected } from "./push-rejected.ts";

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

/**
 * Bytes held by the push bodies being read at once, across every request on the address. Shared rather than
 * waited for: a push that would go over it is refused with 503 (clients retry 5xx), since bodies that each
 * wait for more room while holding some could wait for one another for ever.
 */
export class BodyBudget {
  /** Room for this many bodies of the largest size; pushes are mostly far smaller, so many more share it. */
  static readonly FULL_BODIES = 2;
  readonly maxBytes: number;
  private held = 0;

  constructor(maxBodyBytes: number) {
    this.maxBytes = BodyBudget.FULL_BODIES * maxBodyBytes;
  }

  take(bytes: number): boolean {
    if (this.held + bytes > this.maxBytes) return false;
    this.held += bytes;
    return true;
  }

  give(bytes: number): void {
    this.held -= bytes;
  }
}

/** Passes chunks through, erroring the stream once more than `maxBytes` have passed (a gzip body's compressed side). */
function byteLimit(maxBytes: number): TransformStream<Uint8Array, ArrayBuffer | ArrayBufferView> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, out) {
      seen += chunk.length;
      if (seen > maxBytes) throw tooLarge(maxBytes);
      out.enqueue(chunk);
    },
  });
}

/**
 * Reads the stream to its end, taking what it holds from `budget` (the caller gives it back once done with the
 * bytes); `why` names a failure that is not a limit (a bad gzip stream, a dropped client).
 */
async function collect(
  stream: ReadableStream<Uint8Array>,
  maxBytes: number,
  budget: BodyBudget,
  why: (e: Error) => PushRejected,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = stream.getReader();
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      if (total + r.value.length > maxBytes) throw tooLarge(maxBytes);
      if (!budget.take(r.value.length)) {
        throw new PushRejected(
          `pushes being read at once already hold ${budget.maxBytes} bytes (${BodyBudget.FULL_BODIES} x --push.max-body-bytes); try again`,
          "busy",
          503,
          false,
        );
      }
      chunks.push(r.value);
      total += r.value.length;
    }
  } catch (e) {
    budget.give(total);
    // Stops the upload: what is still in flight is dropped, not buffered.
    reader.cancel().catch(() => {});
    throw e instanceof PushRejected ? e : why(e as Error);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

async function readBytes(req: Request, maxBytes: number, budget: BodyBudget): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length"));
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const encoding = (req.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (encoding !== "" && encoding !== "identity" && encoding !== "gzip") {
    throw new PushRejected(`unsupported Content-Encoding ${JSON.stringify(encoding)} (use gzip or none)`, "bad_encoding", 415, false);
  }
  if (!req.body) return new Uint8Array(0);
  if (encoding === "gzip") {
    const inflated = req.body.pipeThrough(byteLimit(maxBytes)).pipeThrough(new DecompressionStream("gzip"));
    return collect(inflated, maxBytes, budget, (e) => new PushRejected(`gzip: ${e.message}`, "bad_encoding", 400, false));
  }
  return collect(req.body, maxBytes, budget, (e) => new PushRejected(`reading the request body: ${e.message}`, "bad_body", 400, false));
}

/** `names`: whether UTF-8 metric and label names are accepted (quoted in text, as they are in protobuf). */
export async function readPushBody(req: Request, maxBytes: number, budget: BodyBudget, names: NameValidation = "legacy"): Promise<MetricFamily[]> {
  const bytes = await readBytes(req, maxBytes, budget);
  try {
    if (isProtobufDelimited(req.headers.get("content-type"))) return decodeDelimited(bytes, names);
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      throw new ParseError("request body is not valid UTF-8", 0);
    }
    return parseText(text, names);
  } catch (e) {
    if (e instanceof ParseError) throw new PushRejected(e.message, "parse", 400, false);
    throw e;
  } finally {
    budget.give(bytes.length);
  }
}
