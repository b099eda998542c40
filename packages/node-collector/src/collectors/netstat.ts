import { flag, type MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { fields, lines, memoMatcher, procPath, readText } from "../read.ts";

const DEFAULT_FIELDS =
  "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue|TCPRcvQDrop)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

const matcher = memoMatcher();

function emit(out: MetricSet, proto: string, key: string, value: string, want: (name: string) => boolean): void {
  const name = proto + "_" + key;
  if (!want(name)) return;
  out.untyped("node_netstat_" + name, `Statistic ${proto}${key}.`, Number(value));
}

/** /proc/net/netstat and /proc/net/snmp: a header line of names, then a line of values, per protocol. */
function pairs(out: MetricSet, text: string, want: (name: string) => boolean): void {
  const ls = lines(text);
  for (let i = 0; i + 1 < ls.length; i += 2) {
    const names = fields(ls[i]!);
    const values = fields(ls[i + 1]!);
    const proto = names[0]!.slice(0, -1);
    for (let j = 1; j < names.length && j < values.length; j++) emit(out, proto, names[j]!, values[j]!, want);
  }
}

export const netstat = defineCollector({
  name: "netstat",
  defaultEnabled: true,
  flags: { fields: flag.regex("collector.netstat.fields", DEFAULT_FIELDS, "Regexp of fields to return for netstat collector.") },
  collect(out, { paths, config }) {
    const netstatText = readText(procPath(paths, "net/netstat"));
    const snmp = readText(procPath(paths, "net/snmp"));
    if (netstatText === null && snmp === null) return;
    const want = matcher(config.fields);
    if (netstatText !== null) pairs(out, netstatText, want);
    if (snmp !== null) pairs(out, snmp, want);
    const snmp6 = readText(procPath(paths, "net/snmp6"));
    if (snmp6 === null) return;
    for (const line of lines(snmp6)) {
      const [name, value] = fields(line);
      if (!name || value === undefined) continue;
      const six = name.indexOf("6");
      if (six < 0) continue;
      emit(out, name.slice(0, six + 1), name.slice(six + 1), value, want);
    }
  },
});
