import { describe, expect, test } from "bun:test";
import { methodCall, parseMethodResponse, XmlRpcFault } from "./xmlrpc.ts";

const wrap = (value: string) => `<?xml version='1.0'?>\n<methodResponse>\n<params><param>${value}</param></params></methodResponse>`;

describe("XML-RPC", () => {
  test("reads every value type a methodResponse may hold", () => {
    const v = parseMethodResponse(
      wrap(`<value><struct>
        <member><name>n</name><value><int>-7</int></value></member>
        <member><name>i4</name><value><i4>42</i4></value></member>
        <member><name>d</name><value><double>1.5</double></value></member>
        <member><name>b</name><value><boolean>1</boolean></value></member>
        <member><name>s</name><value><string>a &lt;b&gt; &amp; &#233;</string></value></member>
        <member><name>bare</name><value>untyped text</value></member>
        <member><name>empty</name><value><string></string></value></member>
        <member><name>self-closed</name><value><string/></value></member>
        <member><name>list</name><value><array><data><value><int>1</int></value><value>x</value></data></array></value></member>
        <member><name>none</name><value><array><data/></array></value></member>
      </struct></value>`),
    );
    expect(v).toEqual({ n: -7, i4: 42, d: 1.5, b: true, s: "a <b> & é", bare: "untyped text", empty: "", "self-closed": "", list: [1, "x"], none: [] });
  });

  test("a fault is thrown with its code and string", () => {
    const fault = `<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>10</int></value></member><member><name>faultString</name><value><string>BAD_NAME: x</string></value></member></struct></value></fault></methodResponse>`;
    expect(() => parseMethodResponse(fault)).toThrow(XmlRpcFault);
    expect(() => parseMethodResponse(fault)).toThrow("XML-RPC fault 10: BAD_NAME: x");
  });

  test("what is not a methodResponse is an error, not a value", () => {
    expect(() => parseMethodResponse("<html><body>502</body></html>")).toThrow(/XML-RPC: expected <methodResponse>/);
    expect(() => parseMethodResponse(wrap("<value><int>seven</int></value>"))).toThrow(/not an int/);
    expect(() => parseMethodResponse(wrap("<value><int>1</value>"))).toThrow(/expected <\/int>/);
    expect(() => parseMethodResponse("")).toThrow(/XML-RPC/);
  });

  test("a call names its method, escaped", () => {
    expect(methodCall("a<b")).toContain("<methodName>a&lt;b</methodName>");
  });
});
