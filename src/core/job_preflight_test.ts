import { deepStrictEqual } from "node:assert/strict";
import { CommandLookups, type PathFacts } from "./command_lookup.ts";
import { preflightJobs } from "./job_preflight.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";

const files: Record<string, { dir?: boolean; mode?: number }> = {
  "/": { dir: true },
  "/usr": { dir: true },
  "/usr/bin": { dir: true },
  "/usr/bin/node": {},
  "/srv": { dir: true },
  "/srv/app": { dir: true },
  "/srv/app/run.sh": {},
  "/srv/app/notes.txt": { mode: 0o644 },
  "/srv/app/bin": { dir: true },
  "/srv/private": { dir: true, mode: 0o700 },
  "/srv/private/tool": {},
};

const lookups = new CommandLookups((path): PathFacts | null => {
  const e = files[path.replaceAll("/./", "/")];
  if (!e) return null;
  return { isFile: !e.dir, isDirectory: e.dir ?? false, mode: e.mode ?? 0o755, uid: 0, gid: 0 };
});

const check = (...jobs: Parameters<typeof resolvedJob>[]) =>
  preflightJobs(resolvedConfig(jobs.map((j) => resolvedJob(...j))), lookups, "/usr/bin");

Deno.test("jobs whose dir and cmd exist pass", () => {
  deepStrictEqual(
    check(["web", ["node", "web.js"], { dir: "/srv/app" }], ["run", ["./run.sh"], {
      dir: "/srv/app",
    }]),
    { errors: [], warnings: [] },
  );
});

Deno.test("a missing dir, a command not found, not executable or a directory are errors with the job's path", () => {
  deepStrictEqual(
    check(
      ["a", ["node"], { dir: "/srv/gone" }],
      ["b", ["nodee", "x.js"], { dir: "/srv/app" }],
      ["c", ["./notes.txt"], { dir: "/srv/app" }],
      ["d", ["/srv/app/bin"], { dir: "/srv/app" }],
      ["e", ["/opt/missing"], { dir: "/srv/app" }],
      ["f", ["node"], { dir: "/srv/app", clearEnv: true, env: { PATH: "/opt/bin" } }],
      ["my job", ["./build/app"], { dir: "/srv/app" }],
    ).errors,
    [
      { path: "jobs.a.dir", message: 'directory "/srv/gone" does not exist' },
      { path: "jobs.b.cmd", message: 'command "nodee" was not found on PATH "/usr/bin"' },
      {
        path: "jobs.c.cmd",
        message: 'command "./notes.txt" is not executable (permission denied)',
      },
      { path: "jobs.d.cmd", message: 'command "/srv/app/bin" is a directory' },
      { path: "jobs.e.cmd", message: 'command "/opt/missing" was not found' },
      {
        path: "jobs.f.cmd",
        message: 'command "node" was not found on PATH "/opt/bin"',
      },
      { path: 'jobs."my job".cmd', message: 'command "./build/app" was not found' },
    ],
  );
});

Deno.test("what a wait/once job before it may create, and anything of a disabled job, are warnings", () => {
  const report = check(
    ["early", ["./build/app"], { dir: "/srv/app" }],
    ["setup", ["/bin/sh"], { dir: "/srv/app", wait: true }],
    ["built", ["./build/app"], { dir: "/srv/app" }],
    ["data", ["node"], { dir: "/srv/data" }],
    ["typo", ["nodee"], { dir: "/srv/app" }],
    ["spare", ["nodee"], { dir: "/srv/app", disabled: true }],
  );
  deepStrictEqual(report.errors.map((e) => e.path), [
    "jobs.early.cmd",
    "jobs.setup.cmd",
    "jobs.typo.cmd",
  ]);
  deepStrictEqual(report.warnings, [
    {
      path: "jobs.built.cmd",
      message:
        'command "./build/app" was not found yet ("setup", a wait/once job before it, may create it)',
    },
    {
      path: "jobs.data.dir",
      message:
        'directory "/srv/data" does not exist yet ("setup", a wait/once job before it, may create it)',
    },
    {
      path: "jobs.spare.cmd",
      message: 'command "nodee" was not found on PATH "/usr/bin" (the job is disabled)',
    },
  ]);
});

Deno.test("a job running as another user must be able to reach its dir and command", () => {
  deepStrictEqual(
    check(["t", ["/srv/private/tool"], { dir: "/srv/app", uid: 1000, gid: 1000 }]).errors,
    [
      {
        path: "jobs.t.cmd",
        message:
          'command "/srv/private/tool" cannot be reached by user 1000 (permission denied on "/srv/private")',
      },
    ],
  );
});
