import { defineCollector } from "../collector.ts";
import { fields, procPath } from "../read.ts";
import { readRequired } from "../strict-read.ts";

export const filefd = defineCollector({
  name: "filefd",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const text = readRequired(procPath(paths, "sys/fs/file-nr"));
      const [allocated, , maximum] = fields(text);
      if (maximum === undefined) throw new Error(`unexpected file-nr: ${text.trim()}`);
      out.gauge("node_filefd_allocated", "File descriptor statistics: allocated.", Number(allocated));
      out.gauge("node_filefd_maximum", "File descriptor statistics: maximum.", Number(maximum));
    },
  }),
});
