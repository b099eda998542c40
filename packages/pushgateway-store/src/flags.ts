/** The push role's flags: prefixed `push.`, except those under Pushgateway's own names (--persistence.file, --web.enable-admin-api). */
import { flag } from "@agent/core";
import { parseTtlRules, type TtlRule } from "./ttl.ts";

export const pushFlags = {
  defaultTtl: flag.duration("push.default-ttl", 0, "Drop a group this long after its last push (0: keep until deleted)."),
  ttlRules: flag.fileOnly<TtlRule[]>(
    "push.ttl_rules",
    [],
    "TTL per group by regexes over grouping labels: [{match: {job: \"ci-.*\"}, ttl: 2h}]; the first match wins.",
    parseTtlRules,
  ),
  expirySweepInterval: flag.duration(
    "push.expiry-sweep-interval",
    1,
    "Shortest time between two expiry sweeps; a sweep runs at the next group's deadline, none while nothing is due (0: never expire).",
  ),
  maxBodyBytes: flag.bytes("push.max-body-bytes", 16 * 1024 * 1024, "Largest push body accepted, after decompression (413 beyond)."),
  maxSeriesPerPush: flag.int("push.max-series-per-push", 0, "Most metrics one push may carry (0: no limit; 413 beyond)."),
  maxGroups: flag.int("push.max-groups", 0, "Most groups stored at once (0: no limit); a push that would add one more gets 507."),
  sync: flag.choice(
    "push.sync",
    "flush",
    ["flush", "commit"],
    "When a push is acknowledged: flush, once it is on disk (survives a power cut); commit, once its commit reaches the OS (survives a crash of the agent, not of the host).",
  ),
  store: flag.choice(
    "push.store",
    "lmdb",
    ["lmdb", "etcd"],
    "Where groups are kept: lmdb, a file under --storage.path (one agent); etcd, a cluster any number of agents share.",
  ),
  etcdEndpoints: flag.list("push.etcd.endpoints", [], "etcd client URLs (http:// or https://), comma-separated; with --push.store=etcd."),
  etcdPrefix: flag.string("push.etcd.prefix", "/agent/push/", "Key prefix under which the groups live in etcd; agents sharing it serve the same groups."),
  etcdCaFile: flag.string("push.etcd.tls-ca-file", "", "CA certificate that etcd's server certificate must chain to."),
  etcdCertFile: flag.string("push.etcd.tls-cert-file", "", "Client certificate presented to etcd."),
  etcdKeyFile: flag.string("push.etcd.tls-key-file", "", "Key of --push.etcd.tls-cert-file."),
  enableAdminApi: flag.bool("push.enable-admin-api", false, "Serve PUT /api/v1/admin/wipe, which deletes every group."),
  webEnableAdminApi: flag.bool("web.enable-admin-api", false, "Pushgateway's name for --push.enable-admin-api."),
  disableConsistencyCheck: flag.bool(
    "push.disable-consistency-check",
    false,
    "Skip checking pushes against other groups (type clashes, duplicate series); answers 202 like Pushgateway.",
  ),
  enableUtf8Names: flag.bool(
    "push.enable-utf8-names",
    false,
    "Accept UTF-8 metric and label names in pushes (quoted in text, U__-escaped label names in paths); scrapes get them escaped as their Accept's escaping= asks (underscores by default).",
  ),
  persistenceFile: flag.string(
    "persistence.file",
    "",
    "Pushgateway's persistence file: when the store is empty at start, every group in it is imported (the file is never written).",
  ),
  persistenceInterval: flag.duration("persistence.interval", 300, "Accepted for Pushgateway's command line; no effect (every push is committed before it is acknowledged)."),
};
