/**
 * D-Bus signatures (the specification's "Type System"): the values a signature describes, how it splits into
 * complete types, and each type's alignment.
 */

/** A variant: a value with its own signature. */
export interface Variant {
  signature: string;
  value: DBusValue;
}

/**
 * A value as read or written: y n q i u d -> number, x t -> bigint (written from a number too), b -> boolean,
 * s o g -> string, an array or a struct -> an array of values, a dict a{..} -> a Map, v -> Variant.
 */
export type DBusValue = number | bigint | boolean | string | DBusValue[] | Map<DBusValue, DBusValue> | Variant;

/** Bytes that break the wire format: the peer is not speaking D-Bus, or not correctly. */
export class DBusProtocolError extends Error {
  override name = "DBusProtocolError";
}

/** The specification's limits: a message of at most 128 MiB, an array of at most 64 MiB, 32 levels of each container. */
export const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;
export const MAX_ARRAY_BYTES = 64 * 1024 * 1024;
export const MAX_DEPTH = 32;

/** Index just past the single complete type starting at `pos` of `sig`. */
function typeEnd(sig: string, pos: number, depth = 0): number {
  if (depth > 2 * MAX_DEPTH) throw new DBusProtocolError(`signature "${sig}" nests too deeply`);
  const c = sig[pos];
  if (c === undefined) throw new DBusProtocolError(`signature "${sig}" ends inside a type`);
  if ("ybnqiuxtdsogvh".includes(c)) return pos + 1;
  if (c === "a") {
    if (sig[pos + 1] === "{") {
      const key = sig[pos + 2];
      if (key === undefined || !"ybnqiuxtdsogh".includes(key)) throw new DBusProtocolError(`signature "${sig}": a dict key must be a basic type`);
      const end = typeEnd(sig, pos + 3, depth + 1);
      if (sig[end] !== "}") throw new DBusProtocolError(`signature "${sig}": a dict entry holds one key and one value`);
      return end + 1;
    }
    return typeEnd(sig, pos + 1, depth + 1);
  }
  if (c === "(") {
    let p = pos + 1;
    if (sig[p] === ")") throw new DBusProtocolError(`signature "${sig}": empty struct`);
    while (sig[p] !== ")") p = typeEnd(sig, p, depth + 1);
    return p + 1;
  }
  throw new DBusProtocolError(`signature "${sig}": unknown type code "${c}"`);
}

/** The complete types a signature lists ("sa{sv}" -> ["s", "a{sv}"]). */
export function splitSignature(sig: string): string[] {
  if (sig.length > 255) throw new DBusProtocolError("signature longer than 255 bytes");
  const types: string[] = [];
  for (let p = 0; p < sig.length; ) {
    const end = typeEnd(sig, p);
    types.push(sig.slice(p, end));
    p = end;
  }
  return types;
}

/** The members of a struct or dict-entry type "(...)"/"{...}". */
export function innerTypes(type: string): string[] {
  return splitSignature(type.slice(1, -1));
}

export function alignment(type: string): number {
  switch (type[0]) {
    case "y":
    case "g":
    case "v":
      return 1;
    case "n":
    case "q":
      return 2;
    case "x":
    case "t":
    case "d":
    case "(":
    case "{":
      return 8;
    default:
      return 4; // b i u h s o a
  }
}
