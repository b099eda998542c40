/** The push role's flags; all prefixed `push.`. */
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
  expirySweepInterval: flag.duration("push.expiry-sweep-interval", 1, "How often expired groups are looked for and removed."),
  maxBodyBytes: flag.bytes("push.max-body-bytes", 16 * 1024 * 1024, "Largest push body accepted, after decompression (413 beyond)."),
  maxSeriesPerPush: flag.int("push.max-series-per-push", 0, "Most metrics one push may carry (0: no limit; 413 beyond)."),
  maxGroups: flag.int("push.max-groups", 0, "Most groups stored at once (0: no limit); a push that would add one more gets 507."),
  sync: flag.choice(
    "push.sync",
    "flush",
    ["flush", "commit"],
    "When a push is acknowledged: flush, once it is on disk (survives a power cut); commit, once its commit reaches the OS (survives a crash of the agent, not of the host).",
  ),
  enableAdminApi: flag.bool("push.enable-admin-api", false, "Serve PUT /api/v1/admin/wipe, which deletes every group."),
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
