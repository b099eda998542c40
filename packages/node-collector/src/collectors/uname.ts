import { machine } from "node:os";
import { defineCollector } from "../collector.ts";
import { procPath, readAttr } from "../read.ts";

const MACHINE = machine();

/** The uname(2) fields, read from /proc/sys/kernel where the kernel publishes the same strings. */
export const uname = defineCollector({
  name: "uname",
  defaultEnabled: true,
  collect(out, { paths }) {
    const k = (f: string) => readAttr(procPath(paths, "sys/kernel/" + f));
    const sysname = k("ostype");
    if (sysname === null) return;
    out.gauge("node_uname_info", "Labeled system information as provided by the uname system call.", 1, {
      domainname: k("domainname") ?? "",
      machine: MACHINE,
      nodename: k("hostname") ?? "",
      release: k("osrelease") ?? "",
      sysname,
      version: k("version") ?? "",
    });
  },
});
