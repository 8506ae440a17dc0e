import { deepStrictEqual, equal } from "node:assert/strict";
import {
  type CommandLookup,
  CommandLookups,
  type LookupFailure,
  type PathFacts,
  type RunAs,
} from "./command_lookup.ts";

/** A fake file system: path → facts; every stat is counted. */
function fakeFs(entries: Record<string, Partial<PathFacts> & { dir?: boolean }>) {
  const stats: string[] = [];
  const stat = (path: string): PathFacts | null => {
    stats.push(path);
    const e = entries[path];
    if (e === undefined) return null;
    return {
      isFile: !e.dir,
      isDirectory: e.dir ?? false,
      mode: e.mode ?? (e.dir ? 0o755 : 0o755),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
    };
  };
  return { stat, stats };
}

const fs = {
  "/": { dir: true },
  "/usr": { dir: true },
  "/usr/bin": { dir: true },
  "/usr/bin/node": {},
  "/usr/local/bin": { dir: true },
  "/srv": { dir: true },
  "/srv/app": { dir: true },
  "/srv/app/run.sh": {},
  "/srv/app/notes.txt": { mode: 0o644 },
  "/srv/app/bin": { dir: true },
  "/srv/private": { dir: true, mode: 0o700, uid: 0 },
  "/srv/private/tool": {},
  "/srv/mine": { dir: true, mode: 0o700, uid: 1000 },
  "/srv/mine/tool": { mode: 0o700, uid: 1000 },
  "/srv/team": { dir: true, mode: 0o750, gid: 50 },
  "/srv/team/tool": { mode: 0o750, gid: 50 },
  "/srv/owner-only.sh": { mode: 0o700, uid: 0 },
};

const resolveCases: {
  name: string;
  command: string;
  dir: string;
  path?: string;
  want: CommandLookup;
}[] = [
  {
    name: "a bare name on PATH",
    command: "node",
    dir: "/srv/app",
    path: "/usr/local/bin:/usr/bin",
    want: { reason: "found", path: "/usr/bin/node" },
  },
  {
    name: "a bare name with no PATH searches the default one",
    command: "node",
    dir: "/srv/app",
    want: { reason: "found", path: "/usr/bin/node" },
  },
  {
    name: "a bare name not on PATH",
    command: "nodex",
    dir: "/srv/app",
    path: "/usr/bin",
    want: { reason: "notFound", command: "nodex" },
  },
  {
    name: "a bare name not on PATH, in a missing directory",
    command: "nodex",
    dir: "/no/such",
    path: "/usr/bin",
    want: { reason: "dirMissing", dir: "/no/such" },
  },
  {
    name: "a relative path",
    command: "app/run.sh",
    dir: "/srv",
    want: { reason: "found", path: "/srv/app/run.sh" },
  },
  {
    name: "a missing relative path",
    command: "./bin/server",
    dir: "/srv/app",
    want: { reason: "notFound", command: "./bin/server" },
  },
  {
    name: "a missing path in a missing directory",
    command: "./server",
    dir: "/no/such",
    want: { reason: "dirMissing", dir: "/no/such" },
  },
  {
    name: "a directory",
    command: "/srv/app/bin",
    dir: "/srv/app",
    want: { reason: "isDirectory", command: "/srv/app/bin" },
  },
  {
    name: "a file without an execute bit",
    command: "/srv/app/notes.txt",
    dir: "/srv/app",
    want: { reason: "notExecutable", command: "/srv/app/notes.txt" },
  },
  {
    name: "a bare name skips directories and files without x on PATH",
    command: "notes.txt",
    dir: "/srv/app",
    path: "/srv/app",
    want: { reason: "notFound", command: "notes.txt" },
  },
];

for (const c of resolveCases) {
  Deno.test(`command lookup: ${c.name}`, () => {
    const lookups = new CommandLookups(fakeFs(fs).stat);
    deepStrictEqual(lookups.resolve(c.command, c.dir, c.path), c.want);
  });
}

Deno.test("command lookup: a PATH hit is cached and costs one stat the next time", () => {
  const disk = fakeFs(fs);
  const lookups = new CommandLookups(disk.stat);
  const path = "/usr/local/bin:/bin:/usr/bin";
  equal(lookups.onPath("node", path), "/usr/bin/node");
  equal(disk.stats.length, 3);
  disk.stats.length = 0;
  equal(lookups.onPath("node", path), "/usr/bin/node");
  deepStrictEqual(disk.stats, ["/usr/bin/node"]);
});

Deno.test("command lookup: a cached command that went away is searched again", () => {
  const entries: Record<string, Partial<PathFacts> & { dir?: boolean }> = {
    "/a/tool": {},
    "/b/tool": {},
  };
  const lookups = new CommandLookups(fakeFs(entries).stat);
  equal(lookups.onPath("tool", "/a:/b"), "/a/tool");
  delete entries["/a/tool"];
  equal(lookups.onPath("tool", "/a:/b"), "/b/tool");
  delete entries["/b/tool"];
  equal(lookups.onPath("tool", "/a:/b"), null);
});

const accessCases: {
  name: string;
  dir: string;
  command: string;
  who: RunAs;
  want: LookupFailure | null;
}[] = [
  {
    name: "root may do anything",
    dir: "/srv/private",
    command: "/srv/private/tool",
    who: { uid: 0, gid: 0 },
    want: null,
  },
  {
    name: "another user may not enter a 0700 directory",
    dir: "/srv/private",
    command: "/usr/bin/node",
    who: { uid: 65534, gid: 65534 },
    want: { reason: "dirDenied", dir: "/srv/private", uid: 65534, at: "/srv/private" },
  },
  {
    name: "another user may not reach a command in a 0700 directory",
    dir: "/srv/app",
    command: "/srv/private/tool",
    who: { uid: 65534, gid: 65534 },
    want: { reason: "pathDenied", command: "/srv/private/tool", uid: 65534, at: "/srv/private" },
  },
  {
    name: "another user may not execute an owner-only file",
    dir: "/srv/app",
    command: "/srv/owner-only.sh",
    who: { uid: 65534, gid: 65534 },
    want: { reason: "notExecutableBy", command: "/srv/owner-only.sh", uid: 65534 },
  },
  {
    name: "the owner may enter and execute",
    dir: "/srv/mine",
    command: "/srv/mine/tool",
    who: { uid: 1000, gid: 1000 },
    want: null,
  },
  {
    name: "the group's bits count for a member of the group",
    dir: "/srv/team",
    command: "/srv/team/tool",
    who: { uid: 1001, gid: 50 },
    want: null,
  },
  {
    name: "without a group, the other bits count",
    dir: "/srv/app",
    command: "/srv/team/tool",
    who: { uid: 1001, gid: null },
    want: { reason: "pathDenied", command: "/srv/team/tool", uid: 1001, at: "/srv/team" },
  },
];

for (const c of accessCases) {
  Deno.test(`command lookup access: ${c.name}`, () => {
    const lookups = new CommandLookups(fakeFs(fs).stat);
    deepStrictEqual(lookups.checkAccess(c.dir, c.command, c.who), c.want);
  });
}
