/**
 * sup's exit codes, and the error type commands throw for mistakes the user
 * can fix (printed without a stack trace unless `-v`).
 *
 * @module
 */

/** Exit codes of the `sup` command. */
export const ExitCode = {
  /** Success: the command did what was asked (`sup check`: the config is valid). */
  Ok: 0,
  /** The config is invalid or cannot be loaded, or another mistake the user can fix (a file exists, a file is missing); the message says what. */
  Failure: 1,
  /** Wrong command-line usage: unknown command or option, missing or extra argument. */
  Usage: 2,
  /** An internal error in sup (a bug): the message and stack trace are printed. */
  Internal: 70,
} as const;

/** One of `ExitCode`'s values. */
export type ExitCode = typeof ExitCode[keyof typeof ExitCode];

/** A mistake the user can fix; printed as its message alone, and sup exits with `exitCode`. */
export class UserError extends Error {
  override name = "UserError";
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failure,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
