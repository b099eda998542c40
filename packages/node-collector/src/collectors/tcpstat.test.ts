import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { tcpstat } from "./tcpstat.ts";
import { collectText } from "../testing/golden.ts";
import { NetNs } from "../testing/netns.ts";
import { scrapeNodeExporter } from "../testing/node-exporter.ts";

describe("tcpstat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(tcpstat);
    expect(text).toMatch(/^node_tcp_connection_states\{state="listen"\} \d+$/m);
    expect(text).toContain(`node_tcp_connection_states{state="rx_queued_bytes"} `);
  });
});

/**
 * Holds sockets open in the namespace until its stdin closes, then prints the bytes its kernel reports queued
 * (TIOCOUTQ on the sender, FIONREAD on the receiver that never reads), once both buffers are full and stable.
 */
const SOCKETS = `
import fcntl, json, socket, struct, sys, termios, time
# a v4 listener with backlog 17 and one connection left in its accept queue
l4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
l4.bind(("127.0.0.1", 7000)); l4.listen(17)
c4 = socket.create_connection(("127.0.0.1", 7000))
# a v6 listener with backlog 5 whose accepted connection never reads what its peer sends
l6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
l6.bind(("::1", 7001)); l6.listen(5)
c6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
for s in (l6, c6): s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192); s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
c6.connect(("::1", 7001))
s6, _ = l6.accept()
c6.setblocking(False)
for _ in range(3):
    try:
        while True: c6.send(b"x" * 4096)
    except BlockingIOError:
        time.sleep(0.2)
q = lambda s, req: struct.unpack("i", fcntl.ioctl(s, req, bytes(4)))[0]
print(json.dumps({"unsent": q(c6, termios.TIOCOUTQ), "unread": q(s6, termios.FIONREAD)}), flush=True)
sys.stdin.read()
`;

/** state -> value of node_tcp_connection_states. */
function states(text: string): Record<string, number> {
  return Object.fromEntries([...text.matchAll(/^node_tcp_connection_states\{state="(\w+)"\} (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe("tcpstat on live inet_diag netlink (a network namespace of its own), against node_exporter there", () => {
  const SOMAXCONN = 300;
  let ns: NetNs;
  let holder: ReturnType<typeof Bun.spawn<"pipe", "pipe", "inherit">> | undefined;
  let queued: { unsent: number; unread: number };
  beforeAll(async () => {
    ns = new NetNs();
    // node_exporter's own listener takes the namespace's somaxconn as its backlog: a known figure to subtract
    ns.run("sysctl", "-qw", `net.core.somaxconn=${SOMAXCONN}`);
    holder = Bun.spawn(["ip", "netns", "exec", ns.name, "python3", "-c", SOCKETS], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const reader = holder.stdout.getReader();
    let line = "";
    while (!line.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the socket holder exited early");
      line += new TextDecoder().decode(value);
    }
    queued = JSON.parse(line);
  });
  afterAll(async () => {
    holder?.stdin.end();
    await holder?.exited;
    ns?.remove();
  });

  test("a listener's backlog and a connection's unsent bytes are counted as node_exporter counts them", async () => {
    const ours = states(ns.collect("tcpstat", "tcpstat"));
    expect(queued.unsent).toBeGreaterThan(0);
    // two listeners (backlogs 17 and 5, one connection waiting to be accepted) and two connected pairs
    expect(ours).toEqual({ established: 4, listen: 2, tx_queued_bytes: 17 + 5 + queued.unsent, rx_queued_bytes: 1 + queued.unread });
    // node_exporter sees its own listener and the scrape's connection (both ends) besides ours
    const theirs = states(await scrapeNodeExporter("tcpstat", [], ns));
    expect(theirs).toEqual({ ...ours, established: ours.established! + 2, listen: ours.listen! + 1, tx_queued_bytes: ours.tx_queued_bytes! + SOMAXCONN });
  });
});
