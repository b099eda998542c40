import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DBusProtocolError, decodeMessage, encodeMessage, messageLength, MessageType, Reader, splitSignature, Writer, type DBusMessage, type DBusValue } from "./wire.ts";

/**
 * What `dbus-monitor --system --binary` wrote on a private dbus-daemon (dbus 1.14, Debian 12) while these ran:
 *   dbus-send --system --dest=org.example.Nobody --type=method_call /org/example/obj org.example.Iface.Types \
 *     byte:7 boolean:true int16:-2 uint16:65535 int32:-100000 uint32:4000000000 int64:-5000000000 \
 *     uint64:18446744073709551615 double:1.5 string:héllo objpath:/a/b variant:uint32:42 array:string:x,yz \
 *     dict:string:uint32:a,1,b,2
 *   dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
 *     org.freedesktop.DBus.GetNameOwner string:org.example.Nobody
 * Messages back to back: the bus's signals, two Hellos and their replies, the two calls and their error replies.
 */
const CAPTURE = new Uint8Array(readFileSync(join(import.meta.dir, "..", "..", "fixtures", "dbus-monitor-binary.bin")));

function split(stream: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let p = 0; p < stream.length; ) {
    const n = messageLength(stream.subarray(p))!;
    out.push(stream.subarray(p, p + n));
    p += n;
  }
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ""), "hex"));

function marshal(type: string, v: DBusValue, at = 0): string {
  const w = new Writer();
  for (let i = 0; i < at; i++) w.write("y", 0);
  w.write(type, v);
  return hex(w.bytes().subarray(at));
}

describe("D-Bus marshalling, byte for byte", () => {
  // each row: type, value, offset the value starts at, the little-endian bytes the specification prescribes
  const rows: [string, DBusValue, number, string][] = [
    ["y", 7, 0, "07"],
    ["b", true, 0, "01000000"],
    ["n", -2, 0, "feff"],
    ["q", 65535, 1, "00ffff"], // one byte of padding to reach 2-alignment
    ["i", -100000, 0, "6079feff"],
    ["u", 4000000000, 3, "0000286bee"],
    ["x", -5000000000n, 4, "00000000" + "000efad5feffffff"],
    ["t", 18446744073709551615n, 0, "ffffffffffffffff"],
    ["d", 1.5, 0, "000000000000f83f"],
    ["s", "héllo", 0, "06000000" + "68c3a96c6c6f" + "00"],
    ["o", "/a/b", 0, "04000000" + "2f612f62" + "00"],
    ["g", "a{sv}", 0, "05" + "617b73767d" + "00"],
    ["v", { signature: "u", value: 42 }, 0, "01" + "7500" + "00" + "2a000000"],
    // an array's length counts its elements, not the padding between the length and the first element ...
    ["at", [1n], 0, "08000000" + "00000000" + "0100000000000000"],
    // ... and that padding is there even when the array is empty
    ["at", [], 0, "00000000" + "00000000"],
    ["a(yu)", [[1, 2], [3, 4]], 0, "10000000" + "00000000" + "01000000" + "02000000" + "03000000" + "04000000"],
    ["a{sb}", new Map([["a", true]]), 0, "0c000000" + "00000000" + "01000000" + "6100" + "0000" + "01000000"],
  ];
  test.each(rows)("%s %p at offset %d", (type, v, at, want) => {
    expect(marshal(type, v, at)).toBe(want);
    const r = new Reader(bytes("00".repeat(at) + want), true, at);
    expect(r.read(type)).toEqual(v);
    expect(r.pos).toBe(at + want.length / 2);
  });

  test("dbus-send's method call: every value read back, and the body marshalled again is the same bytes", () => {
    const call = split(CAPTURE).map(decodeMessage).find((m) => m.member === "Types")!;
    expect(call).toMatchObject({ type: MessageType.METHOD_CALL, path: "/org/example/obj", interface: "org.example.Iface", destination: "org.example.Nobody", sender: ":1.1", signature: "ybnqiuxtdsovasa{su}" });
    expect(call.body).toEqual([7, true, -2, 65535, -100000, 4000000000, -5000000000n, 18446744073709551615n, 1.5, "héllo", "/a/b", { signature: "u", value: 42 }, ["x", "yz"], new Map([["a", 1], ["b", 2]])]);
    const raw = split(CAPTURE).find((m) => decodeMessage(m).member === "Types")!;
    const w = new Writer();
    splitSignature(call.signature).forEach((t, i) => w.write(t, call.body[i]!));
    expect(hex(w.bytes())).toBe(hex(raw.subarray(raw.length - w.length)));
  });

  test("the bus's error reply: name, reply serial and message", () => {
    const errors = split(CAPTURE).map(decodeMessage).filter((m) => m.type === MessageType.ERROR);
    expect(errors.map((e) => [e.errorName, e.replySerial, e.body[0]])).toEqual([
      ["org.freedesktop.DBus.Error.ServiceUnknown", 2, "The name org.example.Nobody was not provided by any .service files"],
      ["org.freedesktop.DBus.Error.NameHasNoOwner", 2, "Could not get owner of name 'org.example.Nobody': no such name"],
    ]);
  });

  test("a stream of messages splits by the length in each header; each decodes", () => {
    const messages = split(CAPTURE);
    expect(messages.length).toBe(18);
    expect(messages.map((m) => decodeMessage(m).type)).toEqual([4, 4, 1, 2, 4, 4, 1, 3, 4, 4, 1, 2, 4, 4, 1, 3, 4, 4]);
    expect(messageLength(CAPTURE.subarray(0, 15))).toBeUndefined();
  });

  test("a message this client encodes decodes to itself (a{sv} and a(ssssssouso) as systemd sends them)", () => {
    const m: DBusMessage = {
      type: MessageType.METHOD_RETURN,
      flags: 1,
      serial: 9,
      replySerial: 3,
      destination: ":1.7",
      signature: "a{sv}a(ssssssouso)",
      body: [new Map<DBusValue, DBusValue>([["Version", { signature: "s", value: "252" }], ["NNames", { signature: "u", value: 3 }]]), [["a.service", "A", "loaded", "active", "running", "", "/org/freedesktop/systemd1/unit/a_2eservice", 0, "", "/"]]],
    };
    const encoded = encodeMessage(m);
    expect(messageLength(encoded)).toBe(encoded.length);
    expect(decodeMessage(encoded)).toEqual(m);
  });

  test("a big-endian message is read in its own byte order", () => {
    // method return, serial 1, reply serial 5, signature "u", body 0x01020304
    const be = bytes("42 02 00 01 00000004 00000001 0000000f" + "05 01 7500 00000005" + "08 01 6700 01 7500" + "00" + "01020304");
    expect(decodeMessage(be)).toMatchObject({ type: MessageType.METHOD_RETURN, serial: 1, replySerial: 5, signature: "u", body: [0x01020304] });
  });
});

describe("bytes that are not D-Bus are refused, not guessed at", () => {
  test.each([
    ["a truncated string", "s", "05000000616263"],
    ["a boolean of 2", "b", "02000000"],
    ["non-zero padding", "(yu)", "01ff000002000000"],
    ["a string without its NUL", "s", "0100000061ff"],
    ["a string that is not UTF-8", "s", "01000000ff00"],
    ["an array overrunning the buffer", "ay", "ffffff00"],
    ["a variant holding two types", "v", "02757500"],
  ])("%s", (_what, type, data) => {
    expect(() => new Reader(bytes(data), true).read(type)).toThrow(DBusProtocolError);
  });

  test("an unknown byte order, a message over 128 MiB", () => {
    expect(() => messageLength(bytes("7a010000" + "00".repeat(12)))).toThrow("byte order");
    expect(() => messageLength(bytes("6c010001" + "00000009" + "01000000" + "00000000"))).toThrow("128 MiB");
  });

  test.each(["a", "(", "()", "a{vs}", "a{s}", "z"])("signature %p", (sig) => {
    expect(() => splitSignature(sig)).toThrow(DBusProtocolError);
  });

  test("a value of the wrong kind for its type is a TypeError naming the type", () => {
    expect(() => marshal("u", "1")).toThrow("D-Bus type u wants a number");
    expect(() => marshal("a{sv}", [])).toThrow("wants a Map");
    expect(() => marshal("(su)", ["a"])).toThrow("wants an array of 2 values");
  });
});
