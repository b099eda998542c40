import { flag, type MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { blankAt, fields, integerAt, KeyedLines, lines, procPath, readText } from "../read.ts";
import { readRequired } from "../strict-read.ts";

const DEFAULT_FIELDS =
  "^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts|TCPOFOQueue)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$";

interface Wanted {
  /** Column of the value in the protocol's value line. */
  index: number;
  name: string;
  help: string;
}

/**
 * The header line of each protocol -> the columns it keeps. The kernel prints the same headers every time, so
 * after the first scrape a header costs one string comparison (a Map hit) instead of splitting ~100 names and
 * testing each against the regex.
 */
type Plans = Map<string, Wanted[]>;

function wanted(re: RegExp | undefined, proto: string, key: string, index: number): Wanted | null {
  const name = proto + "_" + key;
  return !re || re.test(name) ? { index, name: "node_netstat_" + name, help: `Statistic ${proto}${key}.` } : null;
}

function planFor(re: RegExp | undefined, header: string, byHeader: Plans): Wanted[] {
  let plan = byHeader.get(header);
  if (!plan) {
    const names = fields(header);
    const proto = names[0]!.slice(0, -1);
    plan = [];
    for (let j = 1; j < names.length; j++) {
      const w = wanted(re, proto, names[j]!, j);
      if (w) plan.push(w);
    }
    if (byHeader.size < 256) byHeader.set(header, plan);
  }
  return plan;
}

/** /proc/net/netstat and /proc/net/snmp: a header line of names, then a line of values, per protocol. */
function pairs(out: MetricSet, text: string, re: RegExp | undefined, plans: Plans): void {
  const ls = lines(text);
  for (let i = 0; i + 1 < ls.length; i += 2) {
    const plan = planFor(re, ls[i]!, plans);
    if (plan.length > 0) emitColumns(out, ls[i + 1]!, plan);
  }
}

/**
 * The plan's columns of one value line, found by scanning for spaces: the default fields keep 7 of TcpExt's
 * ~120 values, and splitting the line made a string of each.
 */
function emitColumns(out: MetricSet, line: string, plan: readonly Wanted[]): void {
  const n = line.length;
  let i = 0;
  let col = 0;
  let k = 0;
  while (k < plan.length && i < n) {
    while (i < n && line.charCodeAt(i) === 32) i++;
    const start = i;
    while (i < n && line.charCodeAt(i) !== 32) i++;
    if (i === start) break;
    if (col === plan[k]!.index) {
      const w = plan[k++]!;
      out.untyped(w.name, w.help, Number(line.slice(start, i)));
    }
    col++;
  }
}

/** The layout of /proc/net/snmp6: one `Ip6InOctets   1234` per line; the protocol is the name up to its "6". */
function snmp6Layout(re: RegExp | undefined): KeyedLines<Wanted> {
  return new KeyedLines(blankAt, (token) => {
      const six = token.indexOf("6");
      return six < 0 ? null : wanted(re, token.slice(0, six + 1), token.slice(six + 1), 0);
  });
}

export const netstat = defineCollector({
  name: "netstat",
  defaultEnabled: true,
  flags: { fields: flag.regex("collector.netstat.fields", DEFAULT_FIELDS, "Regexp of fields to return for netstat collector.") },
  create({ paths, config }) {
    const plans: Plans = new Map();
    const v6Layout = snmp6Layout(config.fields);
    return {
      collect(out) {
        // node_exporter requires both; snmp6 is absent where IPv6 is off.
        const netstatText = readRequired(procPath(paths, "net/netstat"));
        const snmp = readRequired(procPath(paths, "net/snmp"));
        pairs(out, netstatText, config.fields, plans);
        pairs(out, snmp, config.fields, plans);
    const v6 = readText(procPath(paths, "net/snmp6"));
        if (v6 !== null) v6Layout.each(v6, (w, at, end) => out.untyped(w.name, w.help, integerAt(v6, at, end)));
      },
    };
  },
});
