/**
 * Looks up users and groups by name in /etc/passwd and /etc/group (the OS
 * adapter for `user` / `group` in jobs). Numeric ids need no lookup.
 *
 * @module
 */

/** A user's ids. */
export interface UserIds {
  uid: number;
  gid: number;
}

/** Name → id tables, from the machine or from a test. */
export interface Accounts {
  /** A user by name. */
  userByName(name: string): UserIds | undefined;
  /** A user's primary group by uid. */
  userById(uid: number): UserIds | undefined;
  /** A group id by name. */
  groupByName(name: string): number | undefined;
}

function parseTable(text: string): string[][] {
  return text.split("\n").filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => line.split(":"));
}

/** Builds `Accounts` from the text of a passwd and a group file. */
export function parseAccounts(passwd: string, group: string): Accounts {
  const users = new Map<string, UserIds>();
  const byId = new Map<number, UserIds>();
  for (const [name, , uid, gid] of parseTable(passwd)) {
    const ids = { uid: Number(uid), gid: Number(gid) };
    if (!Number.isInteger(ids.uid) || !Number.isInteger(ids.gid)) continue;
    if (!users.has(name)) users.set(name, ids);
    if (!byId.has(ids.uid)) byId.set(ids.uid, ids);
  }
  const groups = new Map<string, number>();
  for (const [name, , gid] of parseTable(group)) {
    if (Number.isInteger(Number(gid)) && !groups.has(name)) groups.set(name, Number(gid));
  }
  return {
    userByName: (name) => users.get(name),
    userById: (uid) => byId.get(uid),
    groupByName: (name) => groups.get(name),
  };
}

function readOrEmpty(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return "";
  }
}

/** The machine's accounts, read from /etc/passwd and /etc/group (empty if unreadable). */
export function systemAccounts(): Accounts {
  return parseAccounts(readOrEmpty("/etc/passwd"), readOrEmpty("/etc/group"));
}
