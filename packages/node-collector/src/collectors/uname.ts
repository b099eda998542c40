import { machine } from "node:os";
import { defineCollector } from "../collector.ts";
import { procPath, readAttr } from "../read.ts";

const MACHINE = machine();

/** The uname(2) fields, read from /proc/sys/kernel where the kernel publishes the same strings. */
export const uname = defineCollector({
  name: "uname",
  defaultEnabled: true,
  create({ paths }) {
    const k = (f: string) => readAttr(procPath(paths, "sys/kernel/" + f));
    /** ostype, osrelease and version are fixed until reboot; hostname and domainname can change at any time. */
    let kernel: [string | null, string | null, string | null] | undefined;
    return {
      collect(out) {
        if (!kernel || kernel[0] === null) kernel = [k("ostype"), k("osrelease"), k("version")];
        const [sysname, release, version] = kernel;
        if (sysname === null) return;
        out.gauge("node_uname_info", "Labeled system information as provided by the uname system call.", 1, {
          domainname: k("domainname") ?? "",
          machine: MACHINE,
          nodename: k("hostname") ?? "",
          release: release ?? "",
          sysname,
          version: version ?? "",
        });
      },
    };
  },
});
