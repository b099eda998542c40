/**
 * The Role contract. A role is a package that owns its flags (prefixed with its name, except those of the
 * program it replaces: node_exporter's `--collector.*`/`--path.*`, Pushgateway's `--persistence.file` and
 * `--web.enable-admin-api`), starts on its own listen address, and adds routes and metrics there.
 * The agent's roles.ts lists the roles; nothing else in the frame names one.
 * The frame (core/http) serves /-/healthy, /-/ready, /metrics and a landing page at / for every role.
 */
import type { Hono } from "hono";
import type { FlagSet, FlagValues } from "./config/flag.ts";
import type { Collection } from "./exposition/model.ts";
import type { MetricSet } from "./exposition/writer.ts";
import type { LogFields, Logger } from "./log.ts";
import type { Html } from "./pages/html.ts";

/** What every page and /metrics may say about the running agent. */
export interface AgentInfo {
  version: string;
  revision: string;
  bunVersion: string;
  /** Names of the roles this process runs. */
  roles: string[];
  /** Role name -> the address it listens on, as configured (e.g. ":9100"). */
  addresses: Record<string, string>;
  /** Unix seconds. */
  startTime: number;
}

export interface RoleContext<C> {
  /** This role's flags, parsed and validated. */
  config: C;
  /** Tagged with `role=<name>`. */
  log: Logger;
  /** `<storage.path>/<Role.dataDir>` (`<storage.path>/<name>` for a role that declares none); created on demand by the role that needs it. */
  dataDir: string;
  /** The address this role listens on, as configured (`:9091`), or the socket systemd passed in. */
  address: string;
  agent: AgentInfo;
  /**
   * What parts of the agent outside the role (remote write's queues) add to the role's own page at `/`,
   * asked for on every request; a role with such a page shows them after its own sections.
   */
  pageSections?(): PageSection[];
}

/** A titled part of a page, shown in its own `<section id>` that the page's live updates refresh. */
export interface PageSection {
  id: string;
  title: string;
  body: Html;
}

export interface Link {
  path: string;
  title: string;
}

/**
 * A request the role refuses because of what the client sent (a bad header, a bad query): thrown from a
 * route or from metrics(), the frame answers 400 with its message. ConfigError is for flags and config files
 * only (it means exit 2); a handler never throws one.
 */
export class BadRequest extends Error {}

/** A /metrics query a role refuses (node's collect[] naming an unknown collector). */
export class ScrapeQueryError extends BadRequest {}

/** What the frame knows of one scrape of /metrics. */
export interface ScrapeRequest {
  /** The URL's query (node's collect[] and exclude[]). */
  query?: URLSearchParams;
}

/** What a started role hands the frame. */
export interface RoleService {
  /** Adds the role's own routes. A role that serves its own page at `/` replaces the landing page. */
  routes?(app: Hono): void;
  /**
   * One collection of this address's metrics, as values: the frame serves its render() as /metrics and remote
   * write sends its samples. `own` already holds the agent's process_* and build-info families; the role adds
   * its families to `own` and returns it, or returns a collection of its own that includes `own`'s families
   * (no family twice). A query the role refuses (`scrape.query`) throws ScrapeQueryError, answered 400.
   */
  collect(own: MetricSet, scrape?: ScrapeRequest): Collection | Promise<Collection>;
  /** Why the role cannot serve right now (/-/ready then answers 503 with it); undefined when it can. */
  unready?(): string | undefined;
  /**
   * Set when the collection may hold UTF-8 names: the frame then escapes the text by the scheme the scrape
   * asks for (Accept's `escaping=`, underscores by default) and names it in the Content-Type, as client_golang's
   * promhttp does; remote write sends them escaped by underscores. Unset, neither happens.
   */
  utf8Names?: boolean;
  /** Pages listed on the landing page besides /metrics. */
  links?: Link[];
  /** Facts the "role started" log line adds (the push role's store kind). */
  logFields?: LogFields;
}

export interface Role<F extends FlagSet = FlagSet> {
  /** `node`, `push`, `cluster`: the word used in --roles and in flag prefixes. */
  readonly name: string;
  /** One line for --help and the landing page. */
  readonly title: string;
  /** e.g. ":9100"; the frame adds `--<name>.listen-address` with this default. */
  readonly defaultAddress: string;
  readonly flags: F;
  /**
   * The subdirectory of --storage.path the role keeps its data in (push: "push"). The frame hands its path to
   * start() and names it in the "role started" log line. A role that keeps nothing on disk declares none.
   */
  readonly dataDir?: string;
  /**
   * Set when the role's series carry their own job and instance labels (pushed groups): whatever collects
   * them in-process (remote write) keeps those labels, as a scrape with `honor_labels: true` does.
   */
  readonly honorLabels?: boolean;
  /**
   * Set on the role whose address also serves what belongs to the agent as a whole (remote write's page and
   * metrics) when it runs; without such a role running, the first role listed in --roles serves them.
   */
  readonly hostsSharedPages?: boolean;
  /**
   * Names of the programs this role stands in for (node_exporter): called through a link by one of these
   * names, the agent runs this role alone by default (program-names.ts).
   */
  readonly programNames?: readonly string[];
  /**
   * The agent command line for the replaced program's own (its Go flags); the words dropped are returned in
   * `ignored` and logged. `known` says whether a flag name is one of the agent's. Absent, argv is the agent's.
   */
  programArgs?(argv: readonly string[], known: (flag: string) => boolean): { args: string[]; ignored: string[] };
  /**
   * Checks the role's config beyond what each flag checks alone (a flag this role requires, flags that must
   * agree); throws ConfigError. Runs for every enabled role before any address is bound or role started.
   */
  validate?(config: FlagValues<F>): void;
  /**
   * The largest request body this role accepts on its address. The frame sets the server's own limit from it,
   * so a longer body is refused with 413 while it arrives, before any handler buffers it. Without it the
   * frame's default applies.
   */
  maxRequestBodyBytes?(config: FlagValues<F>): number;
  /** Scrapes of /metrics served at once on this role's address; more are answered 503. Absent or 0: no limit. */
  maxScrapesInFlight?(config: FlagValues<F>): number;
  start(ctx: RoleContext<FlagValues<F>>): Promise<RoleService>;
  /** Releases everything start() took. Safe to call twice, and before start. */
  stop(): Promise<void>;
}

/** Identity helper that keeps the role's flag types attached to its context. */
export function defineRole<F extends FlagSet>(role: Role<F>): Role<F> {
  return role;
}
