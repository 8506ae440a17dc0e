/**
 * Restarting the machine, the last resort of a heartbeat or app watchdog
 * (ampm's and Digi appmonitor's "reboot" action). A thin adapter over one
 * command, injectable so tests run a script that writes a file instead.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";

/** Asks the machine to restart; `reason` says why (logged loudly). Never throws. */
export type RebootAdapter = (reason: string) => Promise<void>;

/** The command a real reboot runs. */
export const DEFAULT_REBOOT_COMMAND: readonly string[] = ["systemctl", "reboot"];

/**
 * A `RebootAdapter` that runs `argv` (default `systemctl reboot`) with sup's
 * environment, logging the reason at error level before and the outcome after.
 */
export function commandReboot(argv: readonly string[] = DEFAULT_REBOOT_COMMAND): RebootAdapter {
  const logger = getLogger(["sup", "reboot"]);
  return async (reason) => {
    logger.error("REBOOTING THE MACHINE: {reason} (running {command})", {
      reason,
      command: argv.join(" "),
    });
    try {
      const out = await new Deno.Command(argv[0], {
        args: argv.slice(1),
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).output();
      if (!out.success) {
        const stderr = new TextDecoder().decode(out.stderr).trim();
        logger.error("Reboot command {command} failed with code {code}: {stderr}", {
          command: argv.join(" "),
          code: out.code,
          stderr,
        });
      }
    } catch (error) {
      logger.error("Cannot run reboot command {command}: {error}", {
        command: argv.join(" "),
        error: String(error),
      });
    }
  };
}
