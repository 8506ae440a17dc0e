/**
 * What the `sup` CLI's control routes may ask of `sup run` besides the
 * supervisor API (issue 10): who this sup is, a reload that answers with
 * its outcome, a rotation of the log files, a shutdown. `run.ts` hands in
 * the pieces; the outcome of a reload is read from the events it emits
 * (`config.reloaded`, `config.invalid`), as every other consumer reads it.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import { supName } from "../config/resolved_control.ts";
import type { SupervisorApi } from "../core/api.ts";
import type { ReloadReport } from "../core/control_api.ts";
import { socketPath } from "../control/socket_path.ts";
import type { SupControl } from "../web/control_routes.ts";
import { VERSION } from "./version.ts";

/** The pieces of `sup run` the control routes use. */
export interface ControlPieces {
  api: SupervisorApi;
  /** The runtime state file (the socket's default folder). */
  stateFile: string;
  /** Runs a reload (coalesced with others) and resolves when none is pending; null while sup starts. */
  reload(): Promise<void> | null;
  /** Rotates or reopens sup's log and the jobs' output files. */
  rotate(): Promise<unknown>;
  /** Asks sup to stop, as SIGTERM does. */
  shutdown(by: string): void;
}

/** The `SupControl` of a running sup. */
export function supControl(pieces: ControlPieces): SupControl {
  const { api } = pieces;
  const startedAt = Date.now();
  // The last reload that changed jobs, whoever asked for it (a file change, SIGHUP, the CLI).
  let previous: { at: number; added: string[]; removed: string[]; changed: string[] } | null = null;
  api.bus.on("config.reloaded", ({ at, added, removed, changed }) => {
    if (added.length + removed.length + changed.length > 0) {
      previous = { at, added, removed, changed };
    }
  });
  return {
    stateFile: pieces.stateFile,
    about() {
      const config = api.config();
      return {
        name: supName(config.source, config.network.name),
        version: VERSION,
        startedAt,
        socket: socketPath(config, pieces.stateFile),
        stateFile: pieces.stateFile,
      };
    },
    async reload(): Promise<ReloadReport> {
      const before = api.config();
      const last = previous;
      let outcome: ReloadReport | null = null;
      const offs = [
        api.bus.on("config.reloaded", (e) => {
          const { added, removed, changed } = e;
          const after = api.config();
          const sections = changedSections(before, after);
          const none = added.length + removed.length + changed.length + sections.length === 0;
          const earlier = none ? last : null;
          outcome = {
            ok: true,
            added,
            removed,
            changed,
            sections,
            config: after.source,
            previous: earlier,
          };
        }),
        api.bus.on("config.invalid", (e) => {
          outcome = { ok: false, config: e.source, errors: e.errors };
        }),
      ];
      try {
        const done = pieces.reload();
        if (done === null) {
          return { ok: false, config: before.source, errors: ["sup is still starting: try again"] };
        }
        await done;
      } finally {
        for (const off of offs) off();
      }
      return outcome ?? {
        ok: false,
        config: before.source,
        errors: ["the reload failed before the config was read: sup's log says why"],
      };
    },
    async rotate() {
      const rotated: string[] = [];
      const off = api.bus.on("log.rotated", (e) => rotated.push(e.path));
      try {
        await pieces.rotate();
      } finally {
        off();
      }
      const log = api.config().logging.file;
      return { files: [...(log ? [log] : []), ...rotated.filter((f) => f !== log)] };
    },
    shutdown: (by) => pieces.shutdown(by),
  };
}

/** Top-level sections besides `jobs` whose resolved settings differ. */
export function changedSections(before: ResolvedConfig, after: ResolvedConfig): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const skip = new Set(["jobs", "source", "modes"]);
  return [...keys].filter((key) =>
    !skip.has(key) &&
    JSON.stringify((before as unknown as Record<string, unknown>)[key]) !==
      JSON.stringify((after as unknown as Record<string, unknown>)[key])
  ).sort();
}
