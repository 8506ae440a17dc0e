/**
 * What the control commands share: the options that pick the sup
 * (`--config`, `--name`, `--socket`, `--url`, `--token-file`), connecting
 * (asking which sup on a terminal when several run), and turning a
 * `ControlError` into a message and exit code 1.
 *
 * @module
 */

import type { Command } from "@commander-js/extra-typings";
import { type ControlClient, ControlError } from "../control/client.ts";
import { findSup, listSups, type RunningSup } from "../control/discovery.ts";
import { ExitCode, UserError } from "./exit_codes.ts";

/** The options that pick the sup. */
export interface TargetFlags {
  config?: string;
  name?: string;
  socket?: string;
  url?: string;
  tokenFile?: string;
}

/**
 * Adds the options that pick the sup to `command`. `shortName: false` leaves
 * `-n` to the command (`sup logs -n 50`, as tail and journalctl have it).
 */
// deno-lint-ignore no-explicit-any
export function withTarget<C extends Command<any, any, any>>(
  command: C,
  { shortName = true }: { shortName?: boolean } = {},
): C {
  command
    .option("-c, --config <path>", "the sup running this config")
    .option(
      `${shortName ? "-n, " : ""}--name <name>`,
      "the sup with this network.name (or the start of a derived one)",
    )
    .option("--socket <path>", "the sup listening on this control socket")
    .option("--url <url>", "a sup's HTTP API over TCP, e.g. http://127.0.0.1:8888")
    .option("--token-file <path>", "the operator token for --url (default: $SUP_TOKEN)");
  command.addHelpText(
    "after",
    `
Without --config, --name, --socket or --url: the only sup running for you
(sockets in $SUP_STATE_DIR, $XDG_RUNTIME_DIR/sup and /run/sup).`,
  );
  return command;
}

/** The picking options of `command`. */
export function targetFlags(command: { opts(): Record<string, unknown> }): TargetFlags {
  return command.opts() as TargetFlags;
}

/**
 * Connects to the sup `flags` pick, runs `fn` with a client, and closes
 * it; a `ControlError` becomes a `UserError` (exit 1) with its message.
 */
export async function withSup<T>(
  flags: TargetFlags,
  fn: (client: ControlClient) => Promise<T>,
): Promise<T> {
  let client: ControlClient | null = null;
  try {
    client = await findSup({ ...flags, choose: askWhich });
    return await fn(client);
  } catch (error) {
    if (error instanceof ControlError) throw new UserError(error.message, ExitCode.Failure);
    throw error;
  } finally {
    client?.close();
  }
}

/** On a terminal, asks which of several sups to use; elsewhere leaves it to the options. */
async function askWhich(sups: RunningSup[]): Promise<RunningSup | null> {
  if (!Deno.stdin.isTerminal() || !Deno.stderr.isTerminal()) return null;
  const numbered = listSups(sups).split("\n").map((line, i) => `${i + 1})${line}`);
  const write = (text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text));
  write(`${sups.length} sups are running:\n${numbered.join("\n")}\nWhich one? [1-${sups.length}] `);
  const buffer = new Uint8Array(64);
  const read = await Deno.stdin.read(buffer);
  const answer = Number(new TextDecoder().decode(buffer.subarray(0, read ?? 0)).trim());
  if (Number.isInteger(answer) && answer >= 1 && answer <= sups.length) return sups[answer - 1];
  write("No sup chosen\n");
  return null;
}

/** Writes `text` to stdout. */
export function print(text: string): void {
  Deno.stdout.writeSync(new TextEncoder().encode(text.endsWith("\n") ? text : `${text}\n`));
}

/** True when output should be coloured: stdout is a terminal and NO_COLOR is not set. */
export function useColor(): boolean {
  return !Deno.noColor && Deno.stdout.isTerminal();
}
