import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { IssueList } from "./config_error.ts";
import type { ListenerKinds } from "./listener_kinds.ts";
import { expandOn, readListeners } from "./listeners_section.ts";
import type { ResolvedListener } from "./resolved_listeners.ts";
import { validateConfig } from "./validate.ts";
import { resolvedJob } from "../testing/resolved_job.ts";

const jobs = [
  resolvedJob("web", ["x"], { groups: ["front"] }),
  resolvedJob("api", ["x"], { groups: ["front"] }),
  resolvedJob("db", ["x"]),
];

/** A kind for tests: `{ url, every? }`. */
const KINDS: ListenerKinds = {
  probe: {
    read(f) {
      f.keys(["url", "every"]);
      if (!f.has("url")) f.fail("url", "is required");
      return { url: f.string("url", ""), everyMs: f.duration("every", 60_000) };
    },
  },
};

function read(value: unknown, partial = false) {
  const issues = new IssueList();
  const listeners = readListeners(
    value,
    issues,
    { path: "listeners", jobs: partial ? [] : jobs, dir: "/tmp", partial },
    KINDS,
  );
  return { listeners, issues: issues.items.map((i) => `${i.path}: ${i.message}`) };
}

function names(listeners: ResolvedListener[]): string[] {
  return listeners.map((l) => `${l.type}:${l.name}`);
}

Deno.test("listeners: functions, { on, handle }, plugins and built-ins resolve with names", () => {
  function alertOps() {}
  const handle = () => {};
  const setup = () => {};
  const { listeners, issues } = read([
    alertOps,
    () => {},
    { on: ["job.exited", "job.fatal"], jobs: "group:front", timeout: "2s", queue: 10, handle },
    { name: "kiosk", setup },
    { kind: "probe", url: "http://127.0.0.1/", every: "5s" },
    { kind: "probe", url: "http://127.0.0.1/b" },
  ]);
  deepStrictEqual(issues, []);
  deepStrictEqual(names(listeners), [
    "function:alertOps",
    "function:listeners[1]",
    "function:listeners[2]",
    "plugin:kiosk",
    "builtin:probe",
    "builtin:probe-2",
  ]);
  const spec = listeners[2];
  ok(spec.type === "function");
  deepStrictEqual(spec.on, ["job.exited", "job.fatal"]);
  deepStrictEqual(spec.jobs, ["group:front"]);
  equal(spec.timeoutMs, 2000);
  equal(spec.queueSize, 10);
  equal(spec.handle, handle);
  const builtin = listeners[4];
  ok(builtin.type === "builtin");
  deepStrictEqual(builtin.options, { url: "http://127.0.0.1/", everyMs: 5000 });
  equal(builtin.timeoutMs, 10_000);
  equal(builtin.queueSize, 1000);
});

Deno.test('"*" is every event but job.output; "job.*" is a group', () => {
  const all = expandOn(["*"]);
  ok(!all.includes("job.output") && all.includes("job.exited") && all.includes("tick.60"));
  ok(expandOn(["job.*"]).includes("job.output"));
  deepStrictEqual(expandOn(["tick.*"]), ["tick.5", "tick.60", "tick.3600"]);
  const { listeners } = read([() => {}]);
  deepStrictEqual((listeners[0] as { on: string[] }).on, all);
});

Deno.test("bad listeners are reported with their path, the bad value and a did-you-mean", () => {
  const { issues } = read([
    42,
    { on: ["job.exitted"], handle: () => {} },
    { on: "jobs.*", handle: () => {} },
    { jobs: ["wbe", "group:fornt"], handle: () => {} },
    { handle: "not a function" },
    { name: "x", setup: () => {}, extra: 1 },
    { kind: "prob", url: "u" },
    { kind: "probe", url: "u", evry: "5s" },
    { kind: "probe" },
    { name: "dup", handle: () => {} },
    { name: "dup", setup: () => {} },
    { on: ["job.exited"] },
  ]);
  deepStrictEqual(issues, [
    "listeners[0]: 42 is not a listener (expected a built-in such as crashmail({...}) or " +
    '{ kind: "..." }, a function (event, ctx) => void, { on, handle } or a plugin { name, setup })',
    'listeners[1].on[0]: "job.exitted" is not an event type (did you mean "job.exited"?) ' +
    '(e.g. "job.exited", "job.*" or "*")',
    'listeners[2].on: "jobs.*" is not an event type (did you mean "job.*"?) ' +
    '(e.g. "job.exited", "job.*" or "*")',
    'listeners[3].jobs[0]: unknown job "wbe" (did you mean "web"?) ' +
    '(a selector is a job\'s name, "group:<name>" or "*")',
    'listeners[3].jobs[1]: unknown group "fornt" (did you mean "group:front"?)',
    'listeners[4].handle: must be a function (event, ctx) => void, got "not a function"',
    "listeners[5].extra: unknown key",
    'listeners[6].kind: "prob" is not a built-in listener (known: "probe") (did you mean "probe"?)',
    'listeners[7].evry: unknown key (did you mean "every"?)',
    "listeners[8].url: is required",
    "listeners[11].handle: is missing: a listener with options needs handle(event, ctx) { ... }",
    'listeners[10].name: "dup" is the name of another listener (listeners[9]); names must be unique',
  ]);
});

Deno.test("a mode section's listeners are checked, but not their job selectors", () => {
  deepStrictEqual(read([{ jobs: "anything", handle: () => {} }], true).issues, []);
  deepStrictEqual(read("nope").issues, [
    'listeners: must be an array of listeners (e.g. [crashmail({ to: "ops@example.com" })]), ' +
    'got "nope"',
  ]);
});

Deno.test("validateConfig resolves listeners and lets a mode replace them", async () => {
  const first = () => {};
  const second = () => {};
  const input = {
    jobs: { web: { cmd: "x" } },
    listeners: [first],
    modes: { dev: { listeners: [{ name: "devOnly", on: "job.*", handle: second }] } },
  };
  const plain = await validateConfig(input, { source: "/tmp/c.ts", hostname: "h" });
  ok(plain.ok);
  deepStrictEqual(names(plain.config.listeners), ["function:first"]);
  const dev = await validateConfig(input, { source: "/tmp/c.ts", hostname: "h", mode: "dev" });
  ok(dev.ok);
  deepStrictEqual(names(dev.config.listeners), ["function:devOnly"]);
  const none = await validateConfig({ jobs: { web: { cmd: "x" } } }, { source: "/tmp/c.ts" });
  ok(none.ok);
  deepStrictEqual(none.config.listeners, []);
});

Deno.test("a descriptor of a kind this sup does not know is an error in a TOML-like config", async () => {
  const result = await validateConfig(
    { jobs: { web: { cmd: "x" } }, listeners: [{ kind: "nosuch", to: "a@b" }] },
    { source: "/tmp/c.toml" },
  );
  ok(!result.ok);
  equal(result.issues[0].path, "listeners[0].kind");
  ok(result.issues[0].message.startsWith('"nosuch" is not a built-in listener'));
});
