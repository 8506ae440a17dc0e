/**
 * What is wrong with a config: a list of issues, each with the dotted path
 * of the bad field, thrown together as one `ConfigError`.
 *
 * @module
 */

/** One problem in a config. `path` is dotted (`jobs.web.maxMemory`), "" for the whole file. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Renders an issue as `path: message` (or just the message when it has no path). */
export function formatIssue(issue: ConfigIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

/**
 * A config that cannot be loaded or is invalid. `issues` lists every problem
 * found; `files` lists the local files that were read before it failed (so a
 * watcher can keep watching them).
 */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** Every problem found, in the order found. */
  readonly issues: ConfigIssue[];
  /** The config file it is about (absolute), when known. */
  readonly source: string | undefined;
  /** Local files read before the error (absolute paths). */
  readonly files: string[];

  constructor(
    issues: ConfigIssue[],
    options: { source?: string; files?: string[]; cause?: unknown } = {},
  ) {
    const head = options.source ? `Invalid config "${options.source}"` : "Invalid config";
    const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
    super(`${head}: ${count}\n${issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`, {
      cause: options.cause,
    });
    this.issues = issues;
    this.source = options.source;
    this.files = options.files ?? [];
  }
}

/** Collects issues under a path prefix while validating. */
export class IssueList {
  readonly items: ConfigIssue[] = [];

  /** Records a problem at `path`. */
  add(path: string, message: string): void {
    this.items.push({ path, message });
  }
}

/** Joins a path and a key: `join("jobs", "web")` is `jobs.web`; keys that are not identifiers are quoted. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  const part = /^[A-Za-z_$][\w$-]*$/.test(key) ? key : JSON.stringify(key);
  return path === "" ? part : `${path}.${part}`;
}
