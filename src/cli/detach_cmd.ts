/**
 * `sup run --detach` and `sup run --guardian`, and the hidden `sup guardian`
 * command the latter starts. The config is loaded here first, so an invalid
 * config or a sup already running it is reported at once; then sup (or the
 * guardian, which starts sup) runs in a session of its own with its output
 * in `<state>.log`, and this command returns once the new sup is up, or
 * fails with what it printed. Up means: its pid file is written and it
 * answers on its control socket, whose path is printed.
 *
 * @module
 */

import { Command, Option } from "@commander-js/extra-typings";
import { loadConfig } from "../config/loader.ts";
import { stateFilePath } from "../core/runtime_state.ts";
import { lockFilePath, SupAlreadyRunningError, SupLock } from "../core/sup_lock.ts";
import {
  detachFiles,
  fileSize,
  readPidFile,
  spawnDetached,
  tailFrom,
  waitUntilUp,
} from "../control/detach.ts";
import { Guardian } from "../control/guardian.ts";
import { ControlClient } from "../control/client.ts";
import { socketPath } from "../control/socket_path.ts";
import { configArgument } from "./config_arg.ts";
import { ExitCode, UserError } from "./exit_codes.ts";
import type { LogFlags } from "./logging.ts";
import { selfCommand } from "./run.ts";

/** How long `--detach` waits for the new sup to answer. */
const UP_TIMEOUT_MS = 60_000;

/** What `sup run --detach` was asked. */
export interface DetachRequest {
  config: string | undefined;
  mode: string | undefined;
  guardian: boolean;
  flags: LogFlags;
  /** Where the lines for the user go. */
  out: (text: string) => void;
}

/** Starts sup in the background; resolves once it is up, throws `UserError` when it is not. */
export async function runDetached(request: DetachRequest): Promise<void> {
  const path = await configArgument(request.config);
  const { config } = await loadConfig(path, request.mode);
  const statePath = stateFilePath(config.source);
  const files = detachFiles(statePath);
  // Refuse early, with the other sup named, rather than in the background.
  try {
    SupLock.acquire(lockFilePath(statePath), config.source).release();
  } catch (error) {
    if (error instanceof SupAlreadyRunningError) throw new UserError(error.message);
    throw error;
  }
  // No sup runs this config (the lock was free): pid files left by a killed one are stale.
  for (const file of [files.pid, files.guardianPid]) removeIfExists(file);
  const flags = [...(request.flags.verbose ? ["-v"] : []), ...(request.flags.quiet ? ["-q"] : [])];
  const args = [path, ...(request.mode ? [request.mode] : [])];
  const argv = request.guardian
    ? [...selfCommand(), ...flags, "guardian", ...args, "--log", files.log]
    : [
      ...selfCommand(),
      ...flags,
      "run",
      ...args,
      "--pid-file",
      files.pid,
      "--output-log",
      files.log,
    ];
  const offset = fileSize(files.log);
  const child = spawnDetached(argv, files.log);
  const socket = socketPath(config, statePath);
  const up = await waitUntilUp(child, () => answers(files.pid, socket), UP_TIMEOUT_MS);
  if (!up.ok) {
    if (up.reason === "timeout") {
      try {
        Deno.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    const who = request.guardian ? "its guardian" : "it";
    const what = up.reason === "timeout"
      ? `it did not answer within ${UP_TIMEOUT_MS / 1000} s (stopped)`
      : up.status.signal
      ? `${who} was killed by ${up.status.signal}`
      : `${who} exited with code ${up.status.code}`;
    const tail = tailFrom(files.log, offset).map((line) => `  ${line}\n`).join("");
    throw new UserError(
      `sup did not come up: ${what}; its output ("${files.log}"):\n${tail || "  (nothing)\n"}`,
    );
  }
  const pid = readPidFile(files.pid);
  request.out(
    `sup ${pid} is running "${config.source}" in the background` +
      (request.guardian ? ` (guardian ${child.pid})` : "") +
      (socket ? `\n  socket:   ${socket}` : "") +
      `\n  output:   ${files.log}\n  pid file: ${files.pid}\n`,
  );
}

/** The hidden `guardian` command `sup run --guardian` starts. */
export function guardianCommand(): Command<[string, string | undefined], { log: string }> {
  return new Command("guardian")
    .description("start sup and start it again when it dies (used by sup run --guardian)")
    .argument("<config>", "config file, or a comma-separated list")
    .argument("[mode]", "mode to apply")
    .addOption(new Option("--log <file>", "sup's output log").makeOptionMandatory())
    .action(async (path, mode, options, command) => {
      const { config } = await loadConfig(path, mode);
      const files = detachFiles(stateFilePath(config.source));
      const opts = command.optsWithGlobals() as LogFlags;
      const flags = [...(opts.verbose ? ["-v"] : []), ...(opts.quiet ? ["-q"] : [])];
      const guardian = new Guardian({
        command: [
          ...selfCommand(),
          ...flags,
          "run",
          path,
          ...(mode ? [mode] : []),
          "--pid-file",
          files.pid,
        ],
        log: options.log,
        limits: { maxBytes: config.logging.maxBytes, maxFiles: config.logging.maxFiles },
        pidFile: files.pid,
        guardianPidFile: files.guardianPid,
      });
      const code = await guardian.run();
      if (code !== 0) throw new UserError("", ExitCode.Failure);
    });
}

/** sup is up: its pid file is written and it answers on its control socket (when it has one). */
async function answers(pidFile: string, socket: string | null): Promise<boolean> {
  if (readPidFile(pidFile) === null) return false;
  if (socket === null) return true;
  using client = new ControlClient({ socket });
  const response = await client.fetch("/api/control/info", { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}

function removeIfExists(path: string): void {
  try {
    Deno.removeSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
