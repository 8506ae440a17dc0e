/** How errors become messages and exit codes (src/cli/exit_codes.ts), in process. */
import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { ExitCode, UserError } from "../src/cli/exit_codes.ts";
import { type CliOutput, reportError, runCli } from "../src/cli/program.ts";
import { ConfigError } from "../src/config/config_error.ts";

function capture(): CliOutput & { outText: () => string; errText: () => string } {
  let out = "";
  let err = "";
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    outText: () => out,
    errText: () => err,
  };
}

Deno.test("the exit codes are 0, 1, 2 and 70", () => {
  deepStrictEqual(ExitCode, { Ok: 0, Failure: 1, Usage: 2, Internal: 70 });
});

Deno.test("a config error exits 1 listing every issue, its cause's stack only with -v", () => {
  const error = new ConfigError(
    [{ path: "jobs.web.cmd", message: "must not be empty" }, { path: "", message: "whole file" }],
    { source: "/x/sup.config.ts", cause: new Error("underlying") },
  );
  const quiet = capture();
  equal(reportError(error, false, quiet), ExitCode.Failure);
  equal(
    quiet.errText(),
    `Invalid config "/x/sup.config.ts": 2 problems\n  jobs.web.cmd: must not be empty\n  whole file\n`,
  );
  const verbose = capture();
  equal(reportError(error, true, verbose), ExitCode.Failure);
  ok(verbose.errText().includes("Error: underlying\n    at "), verbose.errText());
});

Deno.test("a user error prints its message alone (stack with -v) and exits with its code", () => {
  const quiet = capture();
  equal(reportError(new UserError("No config file"), false, quiet), ExitCode.Failure);
  equal(quiet.errText(), "sup: No config file\n");
  const verbose = capture();
  equal(reportError(new UserError("Bad", ExitCode.Usage), true, verbose), ExitCode.Usage);
  ok(verbose.errText().startsWith("sup: Bad\nUserError: Bad\n    at "), verbose.errText());
});

Deno.test("an unexpected error is an internal error: exit 70 with the stack, even without -v", () => {
  const output = capture();
  equal(reportError(new TypeError("x is undefined"), false, output), ExitCode.Internal);
  ok(
    output.errText().startsWith("sup: internal error: x is undefined\nTypeError: x is undefined\n"),
    output.errText(),
  );
});

Deno.test("runCli maps usage mistakes to 2 and --help to 0, writing to the given output", async () => {
  const unknown = capture();
  equal(await runCli(["frobnicate"], unknown), ExitCode.Usage);
  ok(unknown.errText().includes("unknown command 'frobnicate'"), unknown.errText());
  const help = capture();
  equal(await runCli(["--help"], help), ExitCode.Ok);
  ok(help.outText().startsWith("Usage: sup [options] [command]"), help.outText());
});
