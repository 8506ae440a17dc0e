/**
 * How registered apps persist: the runtime state file's "apps" section,
 * written by the registry after each change and read back (checked with the
 * registration rules) by the next sup. Pure apart from the store it is given.
 *
 * @module
 */

import { checkRegistration } from "./registration.ts";
import type { RegisteredApp } from "./registry_api.ts";

/** Where registrations persist: the runtime state file's sections (`RuntimeStateFile` fits). */
export interface SectionStore {
  section(name: string): unknown;
  setSection(name: string, value: unknown): void;
}

/** The state file section holding registrations. */
export const APPS_SECTION = "apps";

/** A registration as stored: the app and the start time of its pid. */
export type StoredApp = RegisteredApp & { pidStartTime: number | null };

/** A registration to store. */
export function storedApp(entry: { app: RegisteredApp; pidStartTime: number | null }): StoredApp {
  return { ...entry.app, pidStartTime: entry.pidStartTime };
}

/**
 * The registrations `store` holds that still pass the rules, their
 * deadlines restarted at `now`; each one dropped is passed to `dropped`.
 * One that names a pid to kill but not the user who registered it (written
 * by an older sup) is dropped: its kill could not be checked.
 */
export function storedApps(
  store: SectionStore | null,
  now: number,
  dropped: (why: string) => void,
): { app: RegisteredApp; pidStartTime: number | null }[] {
  const stored = store?.section(APPS_SECTION);
  if (!Array.isArray(stored)) return [];
  const out: { app: RegisteredApp; pidStartTime: number | null }[] = [];
  for (const item of stored as StoredApp[]) {
    try {
      const r = checkRegistration(item);
      if (typeof item?.id !== "string") continue;
      const registeredAt = typeof item.registeredAt === "number" ? item.registeredAt : now;
      const pidStartTime = typeof item.pidStartTime === "number" ? item.pidStartTime : null;
      const uid = typeof item.uid === "number" ? item.uid : null;
      if (r.pid !== null && (r.action === "kill" || r.action === "restart") && uid === null) {
        throw new RangeError(`app "${r.name}" names a pid but not the user who registered it`);
      }
      out.push({ app: { ...r, id: item.id, registeredAt, lastRefresh: now, uid }, pidStartTime });
    } catch (error) {
      dropped(`Dropped a stored app registration: ${error}`);
    }
  }
  return out;
}
