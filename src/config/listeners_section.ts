/**
 * Validates and resolves the `listeners` section: each entry is a built-in's
 * descriptor (`{ kind, name?, ... }`, checked by its kind's validator), a
 * function, a `{ on, jobs, timeout, queue, handle }` object or a plugin
 * `{ name, setup, timeout, queue }`. Every listener gets a unique name.
 *
 * @module
 */

import { type IssueList, joinPath } from "./config_error.ts";
import { EVENT_TYPES, type EventTypeName, NOT_IN_ALL } from "./event_types.ts";
import { describe, Fields, listChoices } from "./fields.ts";
import { LISTENER_KINDS, type ListenerKindContext, type ListenerKinds } from "./listener_kinds.ts";
import { isPlainObject } from "./modes.ts";
import {
  DEFAULT_LISTENER_QUEUE,
  DEFAULT_LISTENER_TIMEOUT_MS,
  type ResolvedListener,
} from "./resolved_listeners.ts";
import { selectorProblem } from "./selector.ts";
import { didYouMean } from "./suggest.ts";

const SPEC_KEYS = ["name", "on", "jobs", "timeout", "queue", "handle"] as const;
const PLUGIN_KEYS = ["name", "setup", "timeout", "queue"] as const;

/** Where the section is and what it may refer to. */
export interface ListenersContext extends ListenerKindContext {
  /** Path of the section (`listeners`, `modes.dev.listeners`). */
  path: string;
}

/** Reads `listeners` (undefined: none); records issues; returns the resolved listeners. */
export function readListeners(
  value: unknown,
  issues: IssueList,
  ctx: ListenersContext,
  kinds: ListenerKinds = LISTENER_KINDS,
): ResolvedListener[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.add(
      ctx.path,
      `must be an array of listeners (e.g. [crashmail({ to: "ops@example.com" })]), got ${
        describe(value)
      }`,
    );
    return [];
  }
  const out: { listener: ResolvedListener; explicit: boolean; at: string }[] = [];
  value.forEach((entry, i) => {
    const at = joinPath(ctx.path, i);
    const read = readEntry(entry, at, `listeners[${i}]`, issues, ctx, kinds);
    if (read) out.push({ ...read, at });
  });
  return uniqueNames(out, issues);
}

function readEntry(
  entry: unknown,
  at: string,
  place: string,
  issues: IssueList,
  ctx: ListenersContext,
  kinds: ListenerKinds,
): { listener: ResolvedListener; explicit: boolean } | null {
  if (typeof entry === "function") {
    const name = entry.name && entry.name !== "handle" ? entry.name : place;
    return {
      listener: {
        type: "function",
        name,
        on: expandOn(["*"]),
        jobs: null,
        timeoutMs: DEFAULT_LISTENER_TIMEOUT_MS,
        queueSize: DEFAULT_LISTENER_QUEUE,
        handle: entry as (event: never, ctx: never) => unknown,
      },
      explicit: false,
    };
  }
  if (!isPlainObject(entry)) {
    issues.add(at, `${describe(entry)} is not a listener (${WHAT})`);
    return null;
  }
  const f = new Fields(entry, at, issues);
  const name = f.string("name", null);
  const bounds = () => ({
    timeoutMs: f.duration("timeout", DEFAULT_LISTENER_TIMEOUT_MS, true),
    queueSize: f.whole("queue", DEFAULT_LISTENER_QUEUE, 1, 1_000_000),
  });
  if (entry.kind !== undefined) return readBuiltin(entry, f, name, issues, ctx, kinds);
  if (entry.setup !== undefined) {
    f.keys(PLUGIN_KEYS);
    if (typeof entry.setup !== "function") {
      f.fail("setup", `must be a function (ctx) => dispose, got ${describe(entry.setup)}`);
      return null;
    }
    return {
      listener: {
        type: "plugin",
        name: name ?? place,
        setup: entry.setup as (ctx: never) => unknown,
        ...bounds(),
      },
      explicit: name !== null,
    };
  }
  if (entry.handle !== undefined) {
    f.keys(SPEC_KEYS);
    if (typeof entry.handle !== "function") {
      f.fail("handle", `must be a function (event, ctx) => void, got ${describe(entry.handle)}`);
      return null;
    }
    const jobs = entry.jobs === undefined ? null : selectors(f, ctx);
    const fnName = (entry.handle as () => unknown).name;
    return {
      listener: {
        type: "function",
        name: name ?? (fnName && fnName !== "handle" ? fnName : place),
        on: readOn(f),
        jobs,
        handle: entry.handle as (event: never, ctx: never) => unknown,
        ...bounds(),
      },
      explicit: name !== null,
    };
  }
  if (SPEC_KEYS.some((key) => entry[key] !== undefined)) {
    f.fail("handle", "is missing: a listener with options needs handle(event, ctx) { ... }");
  } else issues.add(at, `${describe(entry)} is not a listener (${WHAT})`);
  return null;
}

const WHAT = 'expected a built-in such as crashmail({...}) or { kind: "..." }, ' +
  "a function (event, ctx) => void, { on, handle } or a plugin { name, setup }";

function readBuiltin(
  entry: Record<string, unknown>,
  f: Fields,
  name: string | null,
  issues: IssueList,
  ctx: ListenersContext,
  kinds: ListenerKinds,
): { listener: ResolvedListener; explicit: boolean } | null {
  const kind = entry.kind;
  const known = Object.keys(kinds);
  if (typeof kind !== "string" || !Object.hasOwn(kinds, kind)) {
    const hint = typeof kind === "string" ? didYouMean(kind, known) : "";
    const choices = known.length > 0 ? listChoices(known) : "none in this build of sup";
    f.fail("kind", `${describe(kind)} is not a built-in listener (known: ${choices})${hint}`);
    return null;
  }
  const { kind: _kind, name: _name, ...rest } = entry;
  const options = kinds[kind].read(new Fields(rest, f.path, issues), ctx);
  return {
    listener: {
      type: "builtin",
      kind,
      name: name ?? kind,
      options: { ...options } as Record<string, unknown>,
      timeoutMs: DEFAULT_LISTENER_TIMEOUT_MS,
      queueSize: DEFAULT_LISTENER_QUEUE,
    },
    explicit: name !== null,
  };
}

/** `jobs`: one selector or an array of them, checked against the jobs (not in a mode section). */
function selectors(f: Fields, ctx: ListenersContext): string[] {
  const raw = f.obj.jobs;
  const single = typeof raw === "string";
  const list = single ? [raw] : f.strings("jobs");
  if (single && raw.trim() === "") f.fail("jobs", 'must be a job\'s name, "group:<name>" or "*"');
  else if (!ctx.partial) {
    list.forEach((selector, i) => {
      const problem = selectorProblem(selector, ctx.jobs);
      if (problem) f.issues.add(single ? f.at("jobs") : joinPath(f.at("jobs"), i), problem);
    });
  }
  return list;
}

/** `on`: event names, `"group.*"` or `"*"`; unknown names get a did-you-mean. */
function readOn(f: Fields): string[] {
  const raw = f.obj.on;
  if (raw === undefined) return expandOn(["*"]);
  const single = typeof raw === "string";
  const items: unknown[] = single ? [raw] : Array.isArray(raw) ? raw : [];
  if (!single && !Array.isArray(raw)) {
    f.fail("on", `must be an event type or an array of them, got ${describe(raw)}`);
    return [];
  }
  const patterns: string[] = [];
  items.forEach((item, i) => {
    const problem = onProblem(item);
    if (problem === null) patterns.push(item as string);
    else if (single) f.fail("on", problem);
    else f.issues.add(joinPath(f.at("on"), i), problem);
  });
  return expandOn(patterns);
}

function onProblem(item: unknown): string | null {
  if (typeof item !== "string") return `must be an event type, got ${describe(item)}`;
  if (item === "*" || (EVENT_TYPES as readonly string[]).includes(item)) return null;
  if (item.endsWith(".*")) {
    const prefix = item.slice(0, -1);
    if (EVENT_TYPES.some((type) => type.startsWith(prefix))) return null;
  }
  const groups = [...new Set(EVENT_TYPES.map((type) => `${type.split(".")[0]}.*`))];
  return `${JSON.stringify(item)} is not an event type${
    didYouMean(item, [...EVENT_TYPES, ...groups])
  } (e.g. "job.exited", "job.*" or "*")`;
}

/** The event types `patterns` name, in `EVENT_TYPES` order. */
export function expandOn(patterns: readonly string[]): EventTypeName[] {
  return EVENT_TYPES.filter((type) =>
    patterns.some((p) =>
      p === type ||
      (p === "*" && !NOT_IN_ALL.includes(type)) ||
      (p.endsWith(".*") && p !== "*" && type.startsWith(p.slice(0, -1)))
    )
  );
}

/**
 * Names are unique: two names written out the same are an error; a default
 * name already taken (two `crashmail`s) gets a number (`crashmail-2`).
 */
function uniqueNames(
  entries: { listener: ResolvedListener; explicit: boolean; at: string }[],
  issues: IssueList,
): ResolvedListener[] {
  const taken = new Map<string, string>();
  for (const e of entries.filter((e) => e.explicit)) {
    const first = taken.get(e.listener.name);
    if (first !== undefined) {
      issues.add(
        joinPath(e.at, "name"),
        `${
          JSON.stringify(e.listener.name)
        } is the name of another listener (${first}); names must be unique`,
      );
    } else taken.set(e.listener.name, e.at);
  }
  for (const e of entries.filter((e) => !e.explicit)) {
    let name = e.listener.name;
    for (let n = 2; taken.has(name); n++) name = `${e.listener.name}-${n}`;
    taken.set(name, e.at);
    e.listener.name = name;
  }
  return entries.map((e) => e.listener);
}
