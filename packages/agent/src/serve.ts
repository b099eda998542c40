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
  type AgentInfo,
  type FlagSet,
  type FlagValues,
  type ListenAddress,
  type Role,
  type RoleServer,
} from "@agent/core";
import { RemoteWrite, remoteWriteFlags } from "@agent/remote-write";
import { BUN_VERSION, REVISION, VERSION, versionText } from "./build-info.ts";
import { flagGroups, globalFlags, roleFlags } from "./global-flags.ts";
import { allRoles } from "./roles.ts";

const USAGE = `Usage: agent [serve] [flags]        run the roles (default: --roles node)
       agent push [flags] [name=value ...]   push metrics from a batch job (agent push --help)
       agent exec [flags] -- command [args]  run a command and push its outcome (agent exec --help)
       agent push-store check|salvage PATH   check or salvage a push store (agent push-store --help)
       agent push-store copy --from S --to S copy the groups between LMDB and etcd (agent push-store --help)`;

/** Two listeners collide when their ports match and either binds every interface or both name the same host. */
function collides(a: ListenAddress, b: ListenAddress): boolean {
  if (a.port !== b.port || a.port === 0) return false;
  return isWildcardHost(a.host) || isWildcardHost(b.host) || a.host === b.host;
}

type GlobalValues = FlagValues<typeof globalFlags>;

/**
 * The web.* flags node_exporter and Pushgateway units pass: --web.listen-address is the one role's address
 * (with several roles it cannot say which), --web.enable-admin-api is Pushgateway's name for the push
 * role's flag, and a socket systemd passes in serves the one role.
 */
function applyWebFlags(global: GlobalValues, enabled: readonly Role[], configs: Map<string, FlagValues<FlagSet>>): void {
  if (global.webSystemdSocket && enabled.length !== 1) {
    throw new ConfigError(`--web.systemd-socket: the socket passed in serves one role, and ${enabled.length} run (${enabled.map((r) => r.name).join(", ")})`);
  }
  if (global.webListenAddress !== "") {
    if (enabled.length !== 1) {
      const perRole = enabled.map((r) => `--${r.name}.listen-address`).join(", ");
      throw new ConfigError(`--web.listen-address: ${enabled.length} roles run (${enabled.map((r) => r.name).join(", ")}); give each its address with ${perRole}`);
    }
    try {
      configs.get(enabled[0]!.name)!.listenAddress = parseListenAddress(global.webListenAddress);
    } catch (e) {
      throw new ConfigError(`--web.listen-address: ${(e as Error).message}`);
    }
  }
  const push = configs.get("push");
  if (global.webEnableAdminApi && push) push.enableAdminApi = true;
}

/** How the agent was called when called by another program's name (program-names.ts). */
export interface CalledAs {
  /** The default of --roles: the config file and the command line still override it. */
  roles: string[];
  /** Command-line words dropped before parsing (collectors node_exporter has and the agent lacks). */
  ignored: readonly string[];
}

export async function serve(argv: string[], calledAs?: CalledAs): Promise<number> {
  const roles = allRoles();
  const groups = flagGroups(roles);
  const cli = parseArgv(argv, groups);
  if (cli.help) {
    process.stdout.write(formatHelp(USAGE, groups));
    return 0;
  }
  if (cli.version) {
    process.stdout.write(versionText());
    return 0;
  }
  if (cli.rest.length > 0) throw new ConfigError(`unexpected arguments after --: ${cli.rest.join(" ")}`);

  const configFile = cli.values.get("config.file");
  const fileValues = typeof configFile === "string" && configFile !== "" ? await readConfigFile(configFile, groups) : new Map<string, unknown>();
  if (fileValues.has("config.file")) throw new ConfigError(`--config.file: ${configFile} may not name another config file`);
  const defaults = new Map<string, unknown>(calledAs ? [["roles", calledAs.roles]] : []);
  const global = resolveFlags(globalFlags, defaults, fileValues, cli.values);
  const remoteWriteSettings = resolveFlags(remoteWriteFlags, fileValues, cli.values);

  const byName = new Map(roles.map((r) => [r.name, r]));
  const wanted = [...new Set(global.roles)];
  if (wanted.length === 0) throw new ConfigError("--roles: name at least one role (node, push, cluster)");
  for (const name of wanted) {
    if (!byName.has(name)) throw new ConfigError(`--roles: unknown role "${name}" (known: ${[...byName.keys()].join(", ")})`);
  }
  // Every role's flags are validated, enabled or not, so a typo never waits for the day a role is turned on.
  const configs = new Map(roles.map((r) => [r.name, resolveFlags(roleFlags(r), fileValues, cli.values)]));
  const enabled = wanted.map((n) => byName.get(n)!);
  applyWebFlags(global, enabled, configs);
  for (const role of enabled) role.validate?.(configs.get(role.name)!);
  for (let i = 0; i < enabled.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = configs.get(enabled[i]!.name)!.listenAddress;
      const b = configs.get(enabled[j]!.name)!.listenAddress;
      if (collides(a, b)) {
        throw new ConfigError(`--${enabled[i]!.name}.listen-address: ${a.text} is also the ${enabled[j]!.name} role's address; give each role its own`);
      }
    }
  }
  const web = global.webConfigFile ? await loadWebConfig(global.webConfigFile) : NO_WEB_CONFIG;
  const log = createLogger({ level: global.logLevel, format: global.logFormat });
  const paths = publicPaths({ routePrefix: global.webRoutePrefix, externalUrl: global.webExternalUrl, telemetryPath: global.webTelemetryPath });
  const activated = global.webSystemdSocket ? await relayActivatedSocket(inheritedFd()) : undefined;
  const storage = resolve(global.storagePath);
  const agent: AgentInfo = {
    version: VERSION,
    revision: REVISION,
    bunVersion: BUN_VERSION,
    roles: enabled.map((r) => r.name),
    addresses: Object.fromEntries(enabled.map((r) => [r.name, activated?.address ?? configs.get(r.name)!.listenAddress.text])),
    startTime: Date.now() / 1000,
  };

  // Listening for the stop signals before anything starts: a SIGTERM during a slow start (a large push
  // store loading) is then a clean stop once the start is done, not a kill that skips closing LMDB.
  // The handlers stay installed for the whole stop: a second SIGTERM (an impatient supervisor, Ctrl-C twice)
  // would otherwise meet the default action and kill the process mid-stop with LMDB open. The 5 s deadline
  // below bounds the stop instead.
  // PUT|POST /-/quit (--web.enable-lifecycle) stops the same way, named "quit".
  let onStop: (signal: string) => void = () => {};
  const stopSignal = new Promise<string>((done) => {
    let first: string | undefined;
    onStop = (signal) => {
      if (first) return log.info("already stopping", { signal });
      first = signal;
      done(signal);
    };
    process.on("SIGTERM", onStop);
    process.on("SIGINT", onStop);
  });
  const onQuit = global.webEnableLifecycle ? () => onStop("quit") : undefined;
  // Logged once the stop signals are handled: a supervisor may send one as soon as the first line appears.
  log.info("starting agent", { version: VERSION, revision: REVISION, bun: BUN_VERSION, roles: enabled.map((r) => r.name).join(",") });
  if (calledAs?.ignored.length) log.warn("node_exporter flags for collectors the agent does not have; ignored", { flags: calledAs.ignored.join(" ") });
  const servers: RoleServer[] = [];
  let remote: RemoteWrite | undefined;
  const stopAll = async () => {
    await remote?.stop();
    activated?.close();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await Promise.allSettled(enabled.map((r) => r.stop()));
  };
  try {
    remote = await RemoteWrite.open({
      settings: remoteWriteSettings,
      storagePath: storage,
      log: log.child({ component: "remote-write" }),
      agent,
      knownRoles: roles.map((r) => r.name),
      roles: enabled.map((r) => ({ name: r.name, port: configs.get(r.name)!.listenAddress.port })),
    });
    for (const role of enabled) {
      const config = configs.get(role.name)!;
      servers.push(
        startRoleServer({
          role: role.name,
          title: role.title,
          address: config.listenAddress,
          web,
          agent,
          log: log.child({ role: role.name }),
          maxRequestBodyBytes: role.maxRequestBodyBytes?.(config),
          paths,
          disableOwnMetrics: global.webDisableExporterMetrics,
          onQuit,
          unixSocket: activated?.unixPath,
        }),
      );
    }
    await Promise.all(
      enabled.map(async (role, i) => {
        const roleLog = log.child({ role: role.name });
        const dataDir = resolve(storage, role.name);
        const rw = remote;
        const pageSections = rw && (() => rw.pageSections(role.name));
        const service = await role.start({ config: configs.get(role.name)!, log: roleLog, dataDir, agent, pageSections }).catch((e: Error) => {
          throw e instanceof ConfigError ? e : new Error(`${role.name} role: ${e.message}`);
        });
        servers[i]!.attach(remote ? remote.wrap(role.name, service) : service);
        roleLog.info("role started", {
          address: agent.addresses[role.name],
          url: servers[i]!.url,
          data: role.name === "push" ? dataDir : undefined,
        });
      }),
    );
    remote?.start();
  } catch (e) {
    await stopAll();
    throw e;
  }

  // Start-up is over once the roles serve and the first scrapes have come (Prometheus scrapes every 15 s).
  const release =
    global.releaseStartupPages > 0
      ? setTimeout(() => {
          try {
            const r = releaseStartupPages();
            if (r) log.debug("released start-up pages", { mappings: r.mappings, kib: r.kib });
          } catch (e) {
            log.debug("start-up pages not released", { err: (e as Error).message });
          }
        }, global.releaseStartupPages * 1000).unref()
      : undefined;

  const signal = await stopSignal;
  clearTimeout(release);
  log.info("stopping", { signal });
  // The contract is "exit within 5 s"; a role that cannot let go by then is abandoned.
  const deadline = setTimeout(() => {
    log.warn("stop took longer than 5s; exiting anyway");
    process.exit(0);
  }, 4800);
  deadline.unref();
  await stopAll();
  for (const role of enabled) log.info("role stopped", { role: role.name });
  return 0;
}
