/** IPsec transformation error counters from /proc/net/xfrm_stat (node_exporter's xfrm collector). */
import { defineCollector } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";

/**
 * The counters node_exporter reports, in its order, with its help text. Each is reported, as 0 when the
 * kernel does not print it; the family is the name without "Xfrm" in snake case (XfrmInNoPols ->
 * node_xfrm_in_no_pols_packets_total).
 */
const COUNTERS: [kernel: string, help: string][] = [
  ["XfrmInError", "All errors not matched by other"],
  ["XfrmInBufferError", "No buffer is left"],
  ["XfrmInHdrError", "Header error"],
  ["XfrmInNoStates", "No state is found i.e. Either inbound SPI, address, or IPsec protocol at SA is wrong"],
  ["XfrmInStateProtoError", "Transformation protocol specific error e.g. SA key is wrong"],
  ["XfrmInStateModeError", "Transformation mode specific error"],
  ["XfrmInStateSeqError", "Sequence error i.e. Sequence number is out of window"],
  ["XfrmInStateExpired", "State is expired"],
  ["XfrmInStateMismatch", "State has mismatch option e.g. UDP encapsulation type is mismatch"],
  ["XfrmInStateInvalid", "State is invalid"],
  ["XfrmInTmplMismatch", "No matching template for states e.g. Inbound SAs are correct but SP rule is wrong"],
  ["XfrmInNoPols", "No policy is found for states e.g. Inbound SAs are correct but no SP is found"],
  ["XfrmInPolBlock", "Policy discards"],
  ["XfrmInPolError", "Policy error"],
  ["XfrmOutError", "All errors which is not matched others"],
  ["XfrmOutBundleGenError", "Bundle generation error"],
  ["XfrmOutBundleCheckError", "Bundle check error"],
  ["XfrmOutNoStates", "No state is found"],
  ["XfrmOutStateProtoError", "Transformation protocol specific error"],
  ["XfrmOutStateModeError", "Transformation mode specific error"],
  ["XfrmOutStateSeqError", "Sequence error i.e. Sequence number overflow"],
  ["XfrmOutStateExpired", "State is expired"],
  ["XfrmOutPolBlock", "Policy discards"],
  ["XfrmOutPolDead", "Policy is dead"],
  ["XfrmOutPolError", "Policy error"],
  ["XfrmFwdHdrError", "Forward routing of a packet is not allowed"],
  ["XfrmOutStateInvalid", "State is invalid, perhaps expired"],
  ["XfrmAcquireError", "State hasn’t been fully acquired before use"],
];

const FAMILIES = COUNTERS.map(([kernel, help]) => {
  const snake = kernel.slice("Xfrm".length).replace(/[A-Z]/g, (c, i: number) => (i > 0 ? "_" : "") + c.toLowerCase());
  return { kernel, name: `node_xfrm_${snake}_packets_total`, help };
});

export const xfrm = defineCollector({
  name: "xfrm",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "net/xfrm_stat");
      const text = readText(path);
      if (text === null) throw new Error(`xfrm: ${path} does not exist`);
      const values = new Map<string, number>();
      for (const line of lines(text)) {
        const f = fields(line);
        const v = Number(f[1]);
        if (f.length !== 2 || !Number.isInteger(v)) throw new Error(`xfrm: bad line "${line}" in ${path}`);
        values.set(f[0]!, v);
      }
      for (const { kernel, name, help } of FAMILIES) out.counter(name, help, values.get(kernel) ?? 0);
    },
  }),
});
