/**
 * Running the command of a machine action (`systemctl reboot`,
 * `systemctl poweroff` or the config's own): a thin adapter over one
 * process, injectable so tests run a script that writes a file instead.
 *
 * @module
 */

/** How a machine command ended: ok, or why not (exit code and stderr, or why it could not run). */
export type CommandOutcome = { ok: true } | { ok: false; error: string };

/** Runs a machine action's command; never throws. */
export type MachineCommandRunner = (argv: readonly string[]) => Promise<CommandOutcome>;

/** How long a machine command may run before sup stops waiting for it (systemctl returns at once). */
const COMMAND_TIMEOUT_MS = 60_000;

/**
 * Runs `argv` with sup's environment and no input; its outcome is `ok` when
 * it exits 0. A command still running after a minute is reported as failed
 * (and killed).
 */
export const runMachineCommand: MachineCommandRunner = async (argv) => {
  try {
    const out = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
    }).output();
    if (out.success) return { ok: true };
    const stderr = new TextDecoder().decode(out.stderr).trim().slice(-500);
    const how = out.signal ? `was killed by ${out.signal}` : `exited with code ${out.code}`;
    return { ok: false, error: `${how}${stderr ? `: ${stderr}` : ""}` };
  } catch (error) {
    return { ok: false, error: `cannot run it: ${error instanceof Error ? error.message : error}` };
  }
};
