/**
 * The readers of a config's optional sections (job health checks,
 * `listeners`, `mail`, `machine`, `analytics`, the control socket's and
 * pmtr's `network` options), each imported only for a config that has its
 * section, in its body or in any mode section: what a config does not use
 * costs nothing, and a plain config never loads the validators of features
 * it does not have (bench/README.md, "What issues 9 and 10 cost a plain
 * config"). `validateConfig` calls `sectionReaders` first; for a section a
 * config does not have, the reader gives the section's default.
 *
 * @module
 */

import type { Fields } from "./fields.ts";
import { lazyImport } from "./lazy_import.ts";
import { defaultMachine } from "./machine_resolved.ts";
import { isPlainObject } from "./modes.ts";
import { defaultControlNetwork } from "./resolved_control.ts";

type HealthReaders = typeof import("./health_section.ts");
type ListenersReaders = typeof import("./listeners_section.ts");
type MailReaders = typeof import("./mail_section.ts");
type MachineReaders = typeof import("./machine_section.ts");
type AnalyticsReaders = typeof import("./analytics_section.ts");
type ControlReaders = typeof import("./control_section.ts");
type MonitoringReaders = typeof import("./network_monitoring.ts");

/** What reads the optional sections (`body.ts`, `sections.ts`, `job.ts` call them). */
export interface SectionReaders {
  /** `jobs.<name>.health`. */
  readHealth: HealthReaders["readHealth"];
  /** `listeners`. */
  readListeners: ListenersReaders["readListeners"];
  /** `mail`. */
  readMail: MailReaders["readMail"];
  /** `logging.mail`. */
  readLogMail: MailReaders["readLogMail"];
  /** `logging.screenshots`. */
  readScreenshots: MailReaders["readScreenshots"];
  /** What needs the `mail` section (`logging.mail`, mail listeners) has one. */
  checkMailUse: MailReaders["checkMailUse"];
  /** `machine`. */
  readMachine: MachineReaders["readMachine"];
  /** `analytics`. */
  readAnalytics: AnalyticsReaders["readAnalytics"];
  /** `logging.events`. */
  readEventFile: AnalyticsReaders["readEventFile"];
  /** `network.name`, `network.socket`. */
  readControlNetwork: ControlReaders["readControlNetwork"];
  /** `network.report`, `network.control`. */
  readPmtrNetwork: MonitoringReaders["readPmtrNetwork"];
  /** `network.http.metrics`. */
  readMetricsAccess: MonitoringReaders["readMetricsAccess"];
}

type Body = Record<string, unknown>;

/** The object at `key` of `body`, or an empty one. */
function at(body: Body, key: string): Body {
  const value = body[key];
  return isPlainObject(value) ? value : {};
}

/** True when `body` sets one of `keys`. */
function sets(body: Body, ...keys: string[]): boolean {
  return keys.some((key) => body[key] !== undefined);
}

/** Each group of readers: where a config body has its sections, and its module. */
const SECTIONS: { has(body: Body): boolean; load(): Promise<Partial<SectionReaders>> }[] = [
  {
    has: (body) =>
      Object.values(at(body, "jobs")).some((job) => isPlainObject(job) && sets(job, "health")),
    load: () =>
      lazyImport<typeof import("./health_section.ts")>(
        new URL("./health_section.ts", import.meta.url),
      ),
  },
  {
    has: (body) => sets(body, "listeners"),
    load: () =>
      lazyImport<typeof import("./listeners_section.ts")>(
        new URL("./listeners_section.ts", import.meta.url),
      ),
  },
  {
    // The mail listeners need a `mail` section: `checkMailUse` looks at `listeners` too.
    has: (body) =>
      sets(body, "mail", "listeners") || sets(at(body, "logging"), "mail", "screenshots"),
    load: () =>
      lazyImport<typeof import("./mail_section.ts")>(new URL("./mail_section.ts", import.meta.url)),
  },
  {
    has: (body) => sets(body, "machine"),
    load: () =>
      lazyImport<typeof import("./machine_section.ts")>(
        new URL("./machine_section.ts", import.meta.url),
      ),
  },
  {
    has: (body) => sets(body, "analytics") || sets(at(body, "logging"), "events"),
    load: () =>
      lazyImport<typeof import("./analytics_section.ts")>(
        new URL("./analytics_section.ts", import.meta.url),
      ),
  },
  {
    has: (body) => sets(at(body, "network"), "name", "socket"),
    load: () =>
      lazyImport<typeof import("./control_section.ts")>(
        new URL("./control_section.ts", import.meta.url),
      ),
  },
  {
    has: (body) =>
      sets(at(body, "network"), "report", "control") ||
      sets(at(at(body, "network"), "http"), "metrics"),
    load: () =>
      lazyImport<typeof import("./network_monitoring.ts")>(
        new URL("./network_monitoring.ts", import.meta.url),
      ),
  },
];

/**
 * The readers `input` needs: those of the sections its body or any of its
 * mode sections has are imported; the others give their section's default.
 */
export async function sectionReaders(input: Body): Promise<SectionReaders> {
  const bodies = [input, ...Object.values(at(input, "modes")).filter(isPlainObject)];
  const readers: SectionReaders = { ...ABSENT };
  for (const section of SECTIONS) {
    if (!bodies.some((body) => section.has(body))) continue;
    const loaded = await section.load();
    for (const key of Object.keys(ABSENT) as (keyof SectionReaders)[]) {
      if (loaded[key]) Object.assign(readers, { [key]: loaded[key] });
    }
  }
  return readers;
}

/** The default of a section the config does not have; one it has is a bug of `SECTIONS`. */
function none<T>(present: boolean, fallback: T, section: string): T {
  if (!present) return fallback;
  throw new Error(`Internal error: the reader of ${section} was not loaded for a config with it`);
}

/** The readers of sections a config does not have. */
const ABSENT: SectionReaders = {
  readHealth: (job: Fields) => none(sets(job.obj, "health"), null, "health"),
  readListeners: (value: unknown) => none(value !== undefined, [], "listeners"),
  readMail: (value: unknown) => none(value !== undefined, null, "mail"),
  readLogMail: (logging: Fields) => none(sets(logging.obj, "mail"), null, "logging.mail"),
  readScreenshots: (logging: Fields) =>
    none(sets(logging.obj, "screenshots"), null, "logging.screenshots"),
  checkMailUse: (_mail, _logMail, listeners: unknown) =>
    none(listeners !== undefined, undefined, "listeners"),
  readMachine: (value: unknown) => none(value !== undefined, defaultMachine(), "machine"),
  readAnalytics: (value: unknown) => none(value !== undefined, null, "analytics"),
  readEventFile: (logging: Fields) => none(sets(logging.obj, "events"), null, "logging.events"),
  readControlNetwork: (value: unknown) =>
    none(
      isPlainObject(value) && sets(value, "name", "socket"),
      defaultControlNetwork(),
      "network.socket",
    ),
  readPmtrNetwork: (network: Fields | null) =>
    none(
      network !== null && sets(network.obj, "report", "control"),
      { report: [], control: null },
      "network.report",
    ),
  readMetricsAccess: (http: Fields | null) =>
    none(http !== null && sets(http.obj, "metrics"), "open", "network.http.metrics"),
};
