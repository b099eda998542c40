/**
 * D-Bus messages (the specification's "Message Protocol"): header and body of whole messages, over the
 * marshalling in marshal.ts and the type system in signature.ts, which this module re-exports.
 */
import { Reader, Writer } from "./marshal.ts";
import { DBusProtocolError, MAX_MESSAGE_BYTES, splitSignature, type DBusValue, type Variant } from "./signature.ts";

export { Reader, Writer } from "./marshal.ts";
export { DBusProtocolError, MAX_MESSAGE_BYTES, splitSignature, type DBusValue, type Variant } from "./signature.ts";

export const MessageType = { METHOD_CALL: 1, METHOD_RETURN: 2, ERROR: 3, SIGNAL: 4 } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Header flag: the caller expects no reply. */
export const NO_REPLY_EXPECTED = 0x1;

export interface DBusMessage {
  type: MessageType;
  flags: number;
  serial: number;
  path?: string;
  interface?: string;
  member?: string;
  errorName?: string;
  replySerial?: number;
  destination?: string;
  sender?: string;
  /** The body's signature; "" for no body. */
  signature: string;
  body: DBusValue[];
}

// header field codes and the one type each carries
const FIELDS = [
  [1, "path", "o"],
  [2, "interface", "s"],
  [3, "member", "s"],
  [4, "errorName", "s"],
  [5, "replySerial", "u"],
  [6, "destination", "s"],
  [7, "sender", "s"],
  [8, "signature", "g"],
] as const;

const FIXED_HEADER = 16; // endianness, type, flags, version, body length, serial, header field array length

/**
 * The whole length of the message whose first bytes are `head`, or undefined while fewer than 16 bytes are
 * there. Throws on a byte order or length the specification does not allow, before the rest is waited for.
 */
export function messageLength(head: Uint8Array): number | undefined {
  if (head.length < FIXED_HEADER) return undefined;
  const little = byteOrder(head);
  const view = new DataView(head.buffer, head.byteOffset, FIXED_HEADER);
  const fields = view.getUint32(12, little);
  const total = FIXED_HEADER + fields + ((8 - ((FIXED_HEADER + fields) % 8)) % 8) + view.getUint32(4, little);
  if (total > MAX_MESSAGE_BYTES) throw new DBusProtocolError(`message of ${total} bytes is over the 128 MiB limit`);
  return total;
}

function byteOrder(bytes: Uint8Array): boolean {
  if (bytes[0] === 0x6c) return true; // 'l'
  if (bytes[0] === 0x42) return false; // 'B'
  throw new DBusProtocolError(`unknown byte order mark 0x${(bytes[0] ?? 0).toString(16)}`);
}

/** A message's bytes, little-endian. */
export function encodeMessage(m: DBusMessage): Uint8Array {
  const types = splitSignature(m.signature);
  if (types.length !== m.body.length) throw new TypeError(`signature "${m.signature}" lists ${types.length} values, the body has ${m.body.length}`);
  const w = new Writer();
  w.write("y", 0x6c);
  w.write("y", m.type);
  w.write("y", m.flags);
  w.write("y", 1); // protocol version
  w.write("u", 0); // body length, set below
  w.write("u", m.serial);
  const fields: DBusValue[] = [];
  for (const [code, key, type] of FIELDS) {
    const v = m[key];
    if (v !== undefined && (key !== "signature" || v !== "")) fields.push([code, { signature: type, value: v }]);
  }
  w.write("a(yv)", fields);
  w.align(8);
  const bodyStart = w.length;
  types.forEach((t, i) => w.write(t, m.body[i]!));
  w.setUint32(4, w.length - bodyStart);
  return w.bytes();
}

/** The message in `bytes` (exactly one whole message, as messageLength measured it). */
export function decodeMessage(bytes: Uint8Array): DBusMessage {
  const r = new Reader(bytes, byteOrder(bytes));
  r.read("y");
  const type = r.read("y") as number;
  const flags = r.read("y") as number;
  const version = r.read("y");
  if (version !== 1) throw new DBusProtocolError(`protocol version ${version}, not 1`);
  const bodyLength = r.read("u") as number;
  const serial = r.read("u") as number;
  if (serial === 0) throw new DBusProtocolError("message serial 0");
  const m: DBusMessage = { type: type as MessageType, flags, serial, signature: "", body: [] };
  for (const field of r.read("a(yv)") as [number, Variant][]) {
    const known = FIELDS.find(([code]) => code === field[0]);
    if (!known) continue; // the specification says unknown fields are ignored
    if (field[1].signature !== known[2]) throw new DBusProtocolError(`header field ${known[1]} has type ${field[1].signature}, not ${known[2]}`);
    (m as unknown as Record<string, DBusValue>)[known[1]] = field[1].value;
  }
  r.align(8);
  if (r.pos + bodyLength !== bytes.length) throw new DBusProtocolError(`body length ${bodyLength} does not match the message's ${bytes.length - r.pos} bytes`);
  const body = new Reader(bytes.subarray(r.pos), byteOrder(bytes));
  m.body = splitSignature(m.signature).map((t) => body.read(t));
  if (body.pos !== bodyLength) throw new DBusProtocolError(`body has ${bodyLength - body.pos} bytes its signature does not cover`);
  return m;
}
