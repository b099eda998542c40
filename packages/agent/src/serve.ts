/** `agent [serve]`: parse flags and config, bind one server per role, start the roles, stop on a signal. */
import { resolve } from "node:path";
import {
  ConfigError,
  createLogger,
  formatHelp,
  loadWebConfig,
  NO_WEB_CONFIG,
  parseArgv,
  isWildcardHost,
  parseListenAddress,
  inheritedFd,
  relayActivatedSocket,
  releaseStartupPages,
  readConfigFile,
  resolveFlags,
  publicPaths,
  startRoleServer,
  type ActivatedSocket,
  type AgentInfo,
  type FlagSet,
  type FlagValues,
  type ListenAddress,
  type Logger,
  type Role,
  type RoleServer,
  type PublicPaths,
  type WebConfig,
} from "@agent/core";
import { RemoteWrite, remoteWriteFlags, type RemoteWriteSettings } from "@agent/remote-write";
import { BUN_VERSION, REVISION, VERSION, versionText } from "./build-info.ts";
import { flagGroups, globalFlags, roleFlags, type GlobalValues } from "./global-flags.ts";

const USAGE = `Usage: agent [serve] [flags]        run the roles --roles names (default below)
       agent push [flags] [name=value ...]   push metrics from a batch job (agent push --help)
       agent exec [flags] -- command [args]  run a command and push its outcome (agent exec --help)
       agent push-store check|salvage PATH   check or salvage a push store (agent push-store --help)
       agent push-store copy --from S --to S copy the groups between LMDB and etcd (agent push-store --help)`;

/** How the agent was called when called by another program's name (program-names.ts). */
export interface CalledAs {
  /** The default of --roles: the config file and the command line still override it. */
  roles: string[];
  /** Command-line words dropped before parsing (Role.programArgs: collector flags of node_exporter that the agent does not know). */
  ignored: readonly string[];
}

type RoleConfig = FlagValues<FlagSet> & { listenAddress: ListenAddress };

/** Everything the command line and the config file say, checked. */
interface Settings {
  global: GlobalValues;
  remoteWrite: RemoteWriteSettings;
  /** The roles to run, in --roles order. */
  enabled: Role[];
  /** Every known role's flags, enabled or not. */
  configs: Map<Role, RoleConfig>;
  /** --web.config.file's TLS and users, for every address. */
  web: WebConfig;
  /** Route prefix and telemetry path; undefined when both are the defaults. */
  paths: PublicPaths | undefined;
}

/** What the running agent holds, for the stop. */
interface Running {
  log: Logger;
  agent: AgentInfo;
  enabled: Role[];
  servers: RoleServer[];
  remote?: RemoteWrite;
  activated?: ActivatedSocket;
}

/** Two listeners collide when their ports match and either binds every interface or both name the same host. */
function collides(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  return isWildcardHost(a.host) || isWildcardHost(b.host) || a.host === b.host;
}

/**
 * The web.* flags node_exporter and Pushgateway units pass that the frame answers: --web.listen-address is
 * the one role's address (with several roles it cannot say which), and a socket systemd passes in serves the
 * one role.
 */
function applyWebFlags(global: GlobalValues, enabled: readonly Role[], configs: Map<Role, RoleConfig>): void {
  const names = enabled.map((r) => r.name).join(", ");
  if (global.webSystemdSocket && enabled.length !== 1) {
    throw new ConfigError(`--web.systemd-socket: the socket passed in serves one role, and ${enabled.length} run (${names})`);
  }
  if (global.webListenAddress === "") return;
  if (enabled.length !== 1) {
    const perRole = enabled.map((r) => `--${r.name}.listen-address`).join(", ");
    throw new ConfigError(`--web.listen-address: ${enabled.length} roles run (${names}); give each its address with ${perRole}`);
  }
  try {
    configs.get(enabled[0]!)!.listenAddress = parseListenAddress(global.webListenAddress);
  } catch (e) {
    throw new ConfigError(`--web.listen-address: ${(e as Error).message}`);
  }
}

/** The roles --roles names, each once, in its order; an unknown name is a ConfigError that lists the known. */
function pickRoles(wanted: readonly string[], roles: readonly Role[]): Role[] {
  const known = roles.map((r) => r.name).join(", ");
  if (wanted.length === 0) throw new ConfigError(`--roles: name at least one role (${known})`);
  return [...new Set(wanted)].map((name) => {
    const role = roles.find((r) => r.name === name);
    if (!role) throw new ConfigError(`--roles: unknown role "${name}" (known: ${known})`);
    return role;
  });
}

/** Refuses two roles on one address before either binds it. */
function checkAddresses(enabled: readonly Role[], configs: Map<Role, RoleConfig>): void {
  for (let i = 0; i < enabled.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = configs.get(enabled[i]!)!.listenAddress;
      const b = configs.get(enabled[j]!)!.listenAddress;
      if (collides(a, b)) {
        throw new ConfigError(`--${enabled[i]!.name}.listen-address: ${a.text} is also the ${enabled[j]!.name} role's address; give each role its own`);
      }
    }
  }
}

/** Flags and config file resolved and checked: nothing is bound or started yet. */
async function loadSettings(cli: ReturnType<typeof parseArgv>, roles: readonly Role[], calledAs?: CalledAs): Promise<Settings> {
  const groups = flagGroups(roles);
  const configFile = cli.values.get("config.file");
  const fileValues = typeof configFile === "string" && configFile !== "" ? await readConfigFile(configFile, groups) : new Map<string, unknown>();
  if (fileValues.has("config.file")) throw new ConfigError(`--config.file: ${configFile} may not name another config file`);
  const defaults = new Map<string, unknown>(calledAs ? [["roles", calledAs.roles]] : []);
  const global = resolveFlags(globalFlags(roles), defaults, fileValues, cli.values);
  const remoteWrite = resolveFlags(remoteWriteFlags, fileValues, cli.values);
  const enabled = pickRoles(global.roles, roles);
  // Every role's flags are validated, enabled or not, so a typo never waits for the day a role is turned on.
  const configs = new Map<Role, RoleConfig>(roles.map((r) => [r, resolveFlags(roleFlags(r), fileValues, cli.values)]));
  applyWebFlags(global, enabled, configs);
  for (const role of enabled) role.validate?.(configs.get(role)!);
  checkAddresses(enabled, configs);
  const web = global.webConfigFile ? await loadWebConfig(global.webConfigFile) : NO_WEB_CONFIG;
  const paths = publicPaths({ routePrefix: global.webRoutePrefix, externalUrl: global.webExternalUrl, telemetryPath: global.webTelemetryPath });
  return { global, remoteWrite, enabled, configs, web, paths };
}

/**
 * Listening for the stop signals before anything starts: a SIGTERM during a slow start (a large push store
 * loading) is then a clean stop once the start is done, not a kill that skips closing LMDB. The handlers stay
 * installed for the whole stop: a second SIGTERM (an impatient supervisor, Ctrl-C twice) would otherwise meet
 * the default action and kill the process mid-stop with LMDB open; the stop's deadline bounds it instead.
 * `stop("quit")` is PUT|POST /-/quit (--web.enable-lifecycle).
 */
function stopSignals(log: Logger): { stopped: Promise<string>; stop: (signal: string) => void } {
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((done) => {
    let first: string | undefined;
    stop = (signal) => {
      if (first) return log.info("already stopping", { signal });
      first = signal;
      done(signal);
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
  return { stopped, stop };
}

/** Binds every enabled role's address before any role starts, so a taken port is reported at once. */
function bindServers(s: Settings, run: Running, onQuit: (() => void) | undefined): void {
  const { global, paths } = s;
  for (const role of s.enabled) {
    const config = s.configs.get(role)!;
    run.servers.push(
      startRoleServer({
        role: role.name,
        title: role.title,
        address: config.listenAddress,
        web: s.web,
        agent: run.agent,
        log: run.log.child({ role: role.name }),
        maxRequestBodyBytes: role.maxRequestBodyBytes?.(config),
        maxScrapesInFlight: role.maxScrapesInFlight?.(config),
        paths,
        disableOwnMetrics: global.webDisableExporterMetrics,
        onQuit,
        unixSocket: run.activated?.unixPath,
      }),
    );
  }
}

/** Starts one role and mounts it on its bound server; says so in the log with what the role wants said. */
async function startRole(role: Role, i: number, s: Settings, run: Running): Promise<void> {
  const log = run.log.child({ role: role.name });
  const dataDir = resolve(s.global.storagePath, role.dataDir ?? role.name);
  const remote = run.remote;
  const pageSections = remote && (() => remote.pageSections(role.name));
  const address = run.agent.addresses[role.name]!;
  const service = await role.start({ config: s.configs.get(role)!, log, dataDir, address, agent: run.agent, pageSections }).catch((e: Error) => {
    throw e instanceof ConfigError ? e : new Error(`${role.name} role: ${e.message}`);
  });
  const server = run.servers[i]!;
  server.attach(remote ? remote.wrap(role.name, service) : service);
  log.info("role started", {
    address,
    url: server.url,
    data: role.dataDir === undefined ? undefined : dataDir,
    ...service.logFields,
  });
}

/** Opens remote write's queues, binds every address, then starts the roles side by side. */
async function startAll(s: Settings, run: Running, onQuit: (() => void) | undefined): Promise<void> {
  run.remote = await RemoteWrite.open({
    settings: s.remoteWrite,
    storagePath: resolve(s.global.storagePath),
    log: run.log.child({ component: "remote-write" }),
    agent: run.agent,
    knownRoles: [...s.configs.keys()].map((r) => r.name),
    roles: s.enabled.map((r) => ({ name: r.name, port: s.configs.get(r)!.listenAddress.port, honorLabels: r.honorLabels, hostsSharedPages: r.hostsSharedPages })),
  });
  bindServers(s, run, onQuit);
  await Promise.all(s.enabled.map((role, i) => startRole(role, i, s, run)));
  run.remote?.start();
}

async function stopAll(run: Running): Promise<void> {
  await run.remote?.stop();
  run.activated?.close();
  await Promise.allSettled(run.servers.map((server) => server.stop()));
  await Promise.allSettled(run.enabled.map((r) => r.stop()));
}

/** Start-up is over once the roles serve and the first scrapes have come (Prometheus scrapes every 15 s). */
function scheduleStartupPagesRelease(seconds: number, log: Logger): ReturnType<typeof setTimeout> | undefined {
  if (!(seconds > 0)) return undefined;
  return setTimeout(() => {
    try {
      const r = releaseStartupPages();
      if (r) log.debug("released start-up pages", { mappings: r.mappings, kib: r.kib });
    } catch (e) {
      log.debug("start-up pages not released", { err: (e as Error).message });
    }
  }, seconds * 1000).unref();
}

/** The contract is "exit within 5 s"; a role that cannot let go by then is abandoned. */
async function shutdown(run: Running): Promise<void> {
  const deadline = setTimeout(() => {
    run.log.warn("stop took longer than 5s; exiting anyway");
    process.exit(0);
  }, 4800);
  deadline.unref();
  await stopAll(run);
  for (const role of run.enabled) run.log.info("role stopped", { role: role.name });
}

/** Runs the given roles (roles.ts's list) as the command line and config file say, until a stop signal. */
export async function serve(argv: string[], roles: readonly Role[], calledAs?: CalledAs): Promise<number> {
  const cli = parseArgv(argv, flagGroups(roles));
  if (cli.help) {
    process.stdout.write(formatHelp(USAGE, flagGroups(roles)));
    return 0;
  }
  if (cli.version) {
    process.stdout.write(versionText());
    return 0;
  }
  if (cli.rest.length > 0) throw new ConfigError(`unexpected arguments after --: ${cli.rest.join(" ")}`);
  const s = await loadSettings(cli, roles, calledAs);
  const { global, enabled, configs } = s;
  const log = createLogger({ level: global.logLevel, format: global.logFormat });
  const activated = global.webSystemdSocket ? await relayActivatedSocket(inheritedFd()) : undefined;
  const agent: AgentInfo = {
    version: VERSION,
    revision: REVISION,
    bunVersion: BUN_VERSION,
    roles: enabled.map((r) => r.name),
    addresses: Object.fromEntries(enabled.map((r) => [r.name, activated?.address ?? configs.get(r)!.listenAddress.text])),
    startTime: Date.now() / 1000,
  };
  const { stopped, stop } = stopSignals(log);
  // Logged once the stop signals are handled: a supervisor may send one as soon as the first line appears.
  log.info("starting agent", { version: VERSION, revision: REVISION, bun: BUN_VERSION, roles: agent.roles.join(",") });
  if (calledAs?.ignored.length) log.warn("flags of the replaced program that the agent does not have; ignored", { flags: calledAs.ignored.join(" ") });
  const run: Running = { log, agent, enabled, servers: [], activated };
  try {
    await startAll(s, run, global.webEnableLifecycle ? () => stop("quit") : undefined);
  } catch (e) {
    await stopAll(run);
    throw e;
  }
  const release = scheduleStartupPagesRelease(global.releaseStartupPages, log);
  const signal = await stopped;
  clearTimeout(release);
  log.info("stopping", { signal });
  await shutdown(run);
  return 0;
}
