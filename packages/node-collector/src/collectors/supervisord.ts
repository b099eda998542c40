/**
 * Processes supervisord manages, asked over its XML-RPC interface (node_exporter's supervisord collector,
 * deprecated in 1.8.2 but still accepted). --collector.supervisord.url is http(s)://... or unix:///path/to.sock.
 */
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { warnDeprecated } from "../deprecated.ts";
import { methodCall, parseMethodResponse, type XmlRpcValue } from "../xmlrpc.ts";

/** supervisord's process states in which the process exists (STARTING, RUNNING, STOPPING). */
const RUNNING_STATES = new Set([10, 20, 40]);

/** Where to send the call: the URL itself, or for unix://path a request over that socket. */
function endpoint(raw: string): { url: string; unix?: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`supervisord: "${raw}" is not a URL`);
  }
  if (u.protocol === "unix:") return { url: "http://unix/RPC2", unix: u.pathname };
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`supervisord: unsupported URL scheme ${u.protocol} in "${raw}"`);
  return { url: raw };
}

function num(v: XmlRpcValue | undefined): number {
  return typeof v === "number" ? v : 0;
}

export const supervisord = defineCollector({
  name: "supervisord",
  defaultEnabled: false,
  flags: {
    url: flag.string(
      "collector.supervisord.url",
      process.env.SUPERVISORD_URL ?? "http://localhost:9001/RPC2",
      "XML RPC endpoint ($SUPERVISORD_URL sets the default).",
    ),
  },
  create({ config, log }) {
    warnDeprecated("supervisord", log);
    return {
      async collect(out, { signal }) {
        const { url, unix } = endpoint(config.url);
        let body: string;
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { "Content-Type": "text/xml" },
            body: methodCall("supervisor.getAllProcessInfo"),
            signal,
            ...(unix ? { unix } : {}),
          });
          body = await res.text();
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
        } catch (e) {
          throw new Error(`unable to call supervisord: ${(e as Error).message}`);
        }
        const processes = parseMethodResponse(body);
        if (!Array.isArray(processes)) throw new Error("unable to call supervisord: getAllProcessInfo did not answer a list");
        for (const p of processes) {
          if (p === null || typeof p !== "object" || Array.isArray(p)) throw new Error("unable to call supervisord: a process is not a struct");
          const labels = { group: String(p.group ?? ""), name: String(p.name ?? "") };
          const state = num(p.state);
          out.gauge("node_supervisord_state", "Process State", state, labels);
          out.gauge("node_supervisord_exit_status", "Process Exit Status", num(p.exitstatus), labels);
          const running = RUNNING_STATES.has(state);
          out.gauge("node_supervisord_up", "Process Up", running ? 1 : 0, labels);
          if (running) out.counter("node_supervisord_start_time_seconds", "Process start time", num(p.start), labels);
        }
      },
    };
  },
});
