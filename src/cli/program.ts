/**
 * The `sup` command line: global options, one subcommand per file, and the
 * one place errors become messages and exit codes.
 *
 * To add a command, write `src/cli/<name>.ts` exporting a function that
 * returns a commander `Command`, and add it to `COMMANDS` below. A command's
 * module is imported only when that command runs (or for `sup --help`), so
 * `sup status` does not load what `sup run` needs.
 *
 * @module
 */

import { Command, CommanderError } from "@commander-js/extra-typings";
import { ConfigError, formatIssue } from "../config/config_error.ts";
import { ExitCode, UserError } from "./exit_codes.ts";
import { VERSION } from "./version.ts";
import { lazyImport } from "../config/lazy_import.ts";

/** Options every command accepts (read them with `globalFlags(command)`). */
export interface GlobalFlags {
  verbose: boolean;
  quiet: boolean;
}

/** The global `-v` / `-q` flags as seen from any (sub)command. */
export function globalFlags(command: { optsWithGlobals(): Record<string, unknown> }): GlobalFlags {
  const opts = command.optsWithGlobals();
  return { verbose: opts.verbose === true, quiet: opts.quiet === true };
}

// deno-lint-ignore no-explicit-any
type CommandFactory = () => Command<any, any, any>;

/** A subcommand: its name, and its module's factory, imported when needed. */
interface CommandEntry {
  name: string;
  load: () => Promise<CommandFactory>;
  /** Set up sup's logging before it runs. @default true */
  logs?: boolean;
  hidden?: boolean;
}

/** The subcommands, in help order. */
const COMMANDS: CommandEntry[] = [
  {
    name: "run",
    load: async () =>
      (await lazyImport<typeof import("./run.ts")>(new URL("./run.ts", import.meta.url)))
        .runCommand,
  },
  {
    name: "check",
    load: async () =>
      (await lazyImport<typeof import("./check.ts")>(new URL("./check.ts", import.meta.url)))
        .checkCommand,
  },
  {
    name: "init",
    load: async () =>
      (await lazyImport<typeof import("./init.ts")>(new URL("./init.ts", import.meta.url)))
        .initCommand,
  },
  {
    name: "types",
    load: async () =>
      (await lazyImport<typeof import("./types_cmd.ts")>(
        new URL("./types_cmd.ts", import.meta.url),
      )).typesCommand,
  },
  // The control commands talk to a running sup; they log nothing themselves
  {
    name: "status",
    load: async () =>
      (await lazyImport<typeof import("./status_cmd.ts")>(
        new URL("./status_cmd.ts", import.meta.url),
      )).statusCommand,
    logs: false,
  },
  ...["start", "stop", "restart", "signal", "enable", "disable"].map((name) => ({
    name,
    load: async () =>
      (await lazyImport<typeof import("./actions_cmd.ts")>(
        new URL("./actions_cmd.ts", import.meta.url),
      )).actionCommand(name),
    logs: false,
  })),
  {
    name: "reload",
    load: async () =>
      (await lazyImport<typeof import("./reload_cmd.ts")>(
        new URL("./reload_cmd.ts", import.meta.url),
      )).reloadCommand,
    logs: false,
  },
  {
    name: "rotate",
    load: async () =>
      (await lazyImport<typeof import("./rotate_cmd.ts")>(
        new URL("./rotate_cmd.ts", import.meta.url),
      )).rotateCommand,
    logs: false,
  },
  {
    name: "shutdown",
    load: async () =>
      (await lazyImport<typeof import("./shutdown_cmd.ts")>(
        new URL("./shutdown_cmd.ts", import.meta.url),
      )).shutdownCommand,
    logs: false,
  },
  // One test message through every configured notifier
  {
    name: "notify",
    load: async () =>
      (await lazyImport<typeof import("./notify_cmd.ts")>(
        new URL("./notify_cmd.ts", import.meta.url),
      )).notifyCommand,
  },
  // Jobs' output and sup's events, streamed; systemd units
  {
    name: "logs",
    load: async () =>
      (await lazyImport<typeof import("./logs_cmd.ts")>(new URL("./logs_cmd.ts", import.meta.url)))
        .logsCommand,
    logs: false,
  },
  {
    name: "events",
    load: async () =>
      (await lazyImport<typeof import("./events_cmd.ts")>(
        new URL("./events_cmd.ts", import.meta.url),
      )).eventsCommand,
    logs: false,
  },
  {
    name: "service",
    load: async () =>
      (await lazyImport<typeof import("./service_cmd.ts")>(
        new URL("./service_cmd.ts", import.meta.url),
      )).serviceCommand,
  },
  // hidden
  {
    name: "load-config",
    load: async () =>
      (await lazyImport<typeof import("./load_config_cmd.ts")>(
        new URL("./load_config_cmd.ts", import.meta.url),
      )).loadConfigCommand,
    hidden: true,
  },
  // What `sup run --guardian` starts
  {
    name: "guardian",
    load: async () =>
      (await lazyImport<typeof import("./detach_cmd.ts")>(
        new URL("./detach_cmd.ts", import.meta.url),
      )).guardianCommand,
    hidden: true,
  },
];

/** The command `args` names (the first word that is not an option; `help <name>`'s name). */
function commandIn(args: readonly string[]): CommandEntry | undefined {
  const words = args.filter((a) => !a.startsWith("-"));
  const name = words[0] === "help" ? words[1] : words[0];
  return COMMANDS.find((c) => c.name === name);
}

/** Whether `runCli` set up logging (and must flush it). */
let loggingUsed = false;

/**
 * Builds the `sup` program: with `args`, only the command they name (all of
 * them when they name none, e.g. `sup --help`, or an unknown one).
 */
export async function createProgram(args?: readonly string[]): Promise<Command> {
  const program = new Command("sup")
    .description("sup: a process supervisor and application monitor, configured in TypeScript")
    .version(VERSION, "-V, --version", "print sup's version")
    .option("-v, --verbose", "log debug messages, and show stack traces of errors")
    .option("-q, --quiet", "log only warnings and errors")
    .showHelpAfterError('(run "sup --help" for usage)')
    .addHelpText(
      "after",
      `
Examples:
  sup init                   write config.ts, deno.json and sup_types.ts here
  sup check                  validate ./sup.config.ts (or ./config.ts) and print it resolved
  sup run config.ts dev      run the jobs of config.ts with the mode "dev"
  sup status                 the jobs of the running sup (-w to watch, --json)
  sup restart group:web      restart the jobs of a group; returns once they run
  sup help check             the options of one command

Exit codes: 0 ok, 1 invalid config or another fixable mistake, 2 wrong usage,
70 internal error (a bug in sup: please report it with the stack trace).`,
    )
    .hook("preAction", async (_program, action) => {
      if (COMMANDS.find((c) => c.name === action.name())?.logs === false) return;
      loggingUsed = true;
      const { setupLogging } = await lazyImport<typeof import("./logging.ts")>(
        new URL("./logging.ts", import.meta.url),
      );
      await setupLogging(undefined, globalFlags(action));
    });
  program.options.find((o) => o.long === "--quiet")?.conflicts("verbose");
  const named = args ? commandIn(args) : undefined;
  // `sup --version` needs no command; `sup --help` and mistakes need them all.
  const versionOnly = !named && args !== undefined &&
    args.some((a) => a === "-V" || a === "--version") && !args.some((a) => !a.startsWith("-"));
  for (const entry of named ? [named] : versionOnly ? [] : COMMANDS) {
    program.addCommand((await entry.load())(), { hidden: entry.hidden === true });
  }
  return program as unknown as Command;
}

/** Applies `fn` to a command and all its subcommands. */
function eachCommand(command: Command, fn: (c: Command) => void): void {
  fn(command);
  for (const sub of command.commands) eachCommand(sub as unknown as Command, fn);
}

/** Where `runCli` writes (for tests; default: the process's stdout/stderr). */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const PROCESS_OUTPUT: CliOutput = {
  out: (text) => Deno.stdout.writeSync(new TextEncoder().encode(text)),
  err: (text) => Deno.stderr.writeSync(new TextEncoder().encode(text)),
};

/** Turns an error into text on `output.err` and an exit code. */
export function reportError(error: unknown, verbose: boolean, output: CliOutput): ExitCode {
  const stack = (e: unknown) => (verbose && e instanceof Error && e.stack ? `${e.stack}\n` : "");
  if (error instanceof CommanderError) {
    // commander has printed its message (or the help / version) already.
    const ok = error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
      error.code === "commander.help" || error.exitCode === 0;
    return ok ? ExitCode.Ok : ExitCode.Usage;
  }
  if (error instanceof ConfigError) {
    const head = error.source ? `Invalid config "${error.source}"` : "Invalid config";
    const count = error.issues.length === 1 ? "1 problem" : `${error.issues.length} problems`;
    output.err(`${head}: ${count}\n${error.issues.map((i) => `  ${formatIssue(i)}\n`).join("")}`);
    if (verbose && error.cause) output.err(stack(error.cause));
    return ExitCode.Failure;
  }
  if (error instanceof UserError) {
    if (error.message !== "") output.err(`sup: ${error.message}\n`);
    output.err(stack(error));
    return error.exitCode;
  }
  output.err(
    `sup: internal error: ${error instanceof Error ? error.message : String(error)}\n` +
      (error instanceof Error && error.stack ? `${error.stack}\n` : ""),
  );
  return ExitCode.Internal;
}

/** Runs `sup` with `args` (without the program name); resolves to the exit code. */
export async function runCli(
  args: string[],
  output: CliOutput = PROCESS_OUTPUT,
): Promise<ExitCode> {
  const program = await createProgram(args);
  eachCommand(program, (command) => {
    command.exitOverride();
    command.configureOutput({ writeOut: output.out, writeErr: output.err });
  });
  const verbose = args.includes("-v") || args.includes("--verbose");
  try {
    await program.parseAsync(args, { from: "user" });
    return ExitCode.Ok;
  } catch (error) {
    return reportError(error, verbose, output);
  } finally {
    if (loggingUsed) await (await import("@logtape/logtape")).dispose();
  }
}
