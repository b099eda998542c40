/** Flags that belong to the agent as a whole rather than to one role. */
import { flag, type FlagGroup, type FlagSet, type FlagValues, type Role } from "@agent/core";
import { remoteWriteFlags } from "@agent/remote-write";

/** The agent's own flags; --roles names the roles this binary knows and runs the first of them by default. */
export function globalFlags(roles: readonly Role[]) {
  return {
  roles: flag.list("roles", roles.slice(0, 1).map((r) => r.name), `Roles to run, comma-separated: ${roles.map((r) => r.name).join(", ")}.`),
  storagePath: flag.string("storage.path", "./data", "Directory for persistent data; each role keeps its own subdirectory."),
  configFile: flag.string("config.file", "", "YAML file with the same keys as the flags (e.g. push.listen-address); flags win."),
  logLevel: flag.choice("log.level", "info", ["debug", "info", "warn", "error"], "Only log messages at or above this level."),
  logFormat: flag.choice("log.format", "logfmt", ["logfmt", "json"], "Log line format."),
  releaseStartupPages: flag.duration(
    "memory.release-startup-pages",
    30,
    "This long after start, unmap the executable's pages only start-up used (they stay in the page cache); 0 keeps them.",
  ),
  webConfigFile: flag.string("web.config.file", "", "Exporter-toolkit web config (TLS, basic auth) applied to every role address."),
  // The command lines of node_exporter and Pushgateway, so their units start the agent unchanged.
  webListenAddress: flag.string(
    "web.listen-address",
    "",
    "The address of the one role running (node_exporter's and Pushgateway's flag); with several roles use --<role>.listen-address.",
  ),
  webTelemetryPath: flag.string("web.telemetry-path", "/metrics", "Path under which every role serves its metrics."),
  webExternalUrl: flag.string("web.external-url", "", "URL the agent is reachable at from outside (behind a proxy); its path is the default route prefix."),
  webRoutePrefix: flag.string("web.route-prefix", "", "Prefix of every route, page link and redirect (default: the path of --web.external-url)."),
  webEnableLifecycle: flag.bool("web.enable-lifecycle", false, "Serve PUT or POST /-/quit, which stops the agent as SIGTERM does."),
  webSystemdSocket: flag.bool("web.systemd-socket", false, "Serve the one role on the socket systemd passes in (socket activation: LISTEN_FDS) instead of binding an address."),
  webDisableExporterMetrics: flag.bool("web.disable-exporter-metrics", false, "Leave the agent's own process_* and agent_build_info out of /metrics."),
  webLocalAssets: flag.string("web.local-assets", "", "Accepted for Pushgateway's command line; no effect (the pages are built into the binary)."),
  runtimeGomaxprocs: flag.int("runtime.gomaxprocs", 1, "Accepted for node_exporter's command line; no effect."),
  } satisfies FlagSet;
}

export type GlobalValues = FlagValues<ReturnType<typeof globalFlags>>;

/** `--<role>.listen-address`, added by the frame for every role so roles need not declare it. */
export function listenFlag(role: Role) {
  return { listenAddress: flag.address(`${role.name}.listen-address`, role.defaultAddress, `Address the ${role.name} role listens on.`) };
}

/** A role's flags as the command line and the config file see them: its listen address first. */
export function roleFlags(role: Role) {
  return { ...listenFlag(role), ...role.flags };
}

/** Every flag the serve command knows, grouped for --help and for deploy/agent.yml. */
export function flagGroups(roles: readonly Role[]): FlagGroup[] {
  return [
    { title: "agent", flags: globalFlags(roles) },
    { title: "remote write", flags: remoteWriteFlags },
    ...roles.map((r) => ({ title: `${r.name} role: ${r.title}`, flags: roleFlags(r) })),
  ];
}
