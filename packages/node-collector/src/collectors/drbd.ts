/** DRBD device state and traffic from /proc/drbd (node_exporter's drbd collector, DRBD 8 format). */
import { defineCollector } from "../collector.ts";
import { fields, procPath, readText } from "../read.ts";

/** `key:value` fields with a number: family, type, help and the factor that makes kibibytes bytes. */
const NUMERICAL: Record<string, [name: string, type: "counter" | "gauge", help: string, factor: number]> = {
  ns: ["node_drbd_network_sent_bytes_total", "counter", "Total number of bytes sent via the network.", 1024],
  nr: ["node_drbd_network_received_bytes_total", "counter", "Total number of bytes received via the network.", 1],
  dw: ["node_drbd_disk_written_bytes_total", "counter", "Net data written on local hard disk; in bytes.", 1024],
  dr: ["node_drbd_disk_read_bytes_total", "counter", "Net data read from local hard disk; in bytes.", 1024],
  al: ["node_drbd_activitylog_writes_total", "counter", "Number of updates of the activity log area of the meta data.", 1],
  bm: ["node_drbd_bitmap_writes_total", "counter", "Number of updates of the bitmap area of the meta data.", 1],
  lo: ["node_drbd_local_pending", "gauge", "Number of open requests to the local I/O sub-system.", 1],
  pe: ["node_drbd_remote_pending", "gauge", "Number of requests sent to the peer, but that have not yet been answered by the latter.", 1],
  ua: ["node_drbd_remote_unacknowledged", "gauge", "Number of requests received by the peer via the network connection, but that have not yet been answered.", 1],
  ap: ["node_drbd_application_pending", "gauge", "Number of block I/O requests forwarded to DRBD, but not yet answered by DRBD.", 1],
  ep: ["node_drbd_epochs", "gauge", "Number of Epochs currently on the fly.", 1],
  oos: ["node_drbd_out_of_sync_bytes", "gauge", "Amount of data known to be out of sync; in bytes.", 1024],
};

/** `key:local/remote` fields: family, help and the value that counts as good. */
const PAIRS: Record<string, [name: string, help: string, ok: string]> = {
  ro: ["node_drbd_node_role_is_primary", "Whether the role of the node is in the primary state.", "Primary"],
  ds: ["node_drbd_disk_state_is_up_to_date", "Whether the disk of the node is up to date.", "UpToDate"],
};

export const drbd = defineCollector({
  name: "drbd",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "drbd");
      const text = readText(path);
      // node_exporter answers ErrNoData (success 0) when DRBD is not loaded.
      if (text === null) throw new Error(`drbd: ${path} does not exist`);
      let device = "unknown";
      // The file is read word by word: "1:" starts a device, "key:value" words describe it, others are skipped.
      for (const word of fields(text)) {
        const kv = word.split(":");
        if (kv.length !== 2) continue;
        const [key, value] = kv as [string, string];
        if (value === "" && /^\d+$/.test(key)) {
          device = `drbd${BigInt(key)}`;
          continue;
        }
        const num = NUMERICAL[key];
        if (num) {
          const v = Number(value);
          if (value === "" || Number.isNaN(v)) throw new Error(`drbd: "${word}" is not a number`);
          out.family(num[0], num[1], num[2]).add(v * num[3], { device });
          continue;
        }
        const pair = PAIRS[key];
        if (pair) {
          const [local, remote] = value.split("/");
          const f = out.family(pair[0], "gauge", pair[1]);
          f.add(local === pair[2] ? 1 : 0, { device, node: "local" });
          f.add(remote === pair[2] ? 1 : 0, { device, node: "remote" });
          continue;
        }
        if (key === "cs") out.family("node_drbd_connected", "gauge", "Whether DRBD is connected to the peer.").add(value === "Connected" ? 1 : 0, { device });
      }
    },
  }),
});
