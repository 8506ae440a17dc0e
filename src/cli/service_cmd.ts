/**
 * `sup service install [config] [mode] [--user] [--print]` and
 * `sup service uninstall [config] [--user]`: a systemd unit that runs
 * `sup run <config>` (what it says and why: `control/service_unit.ts`),
 * written where systemd looks, then enabled and started with `systemctl`.
 * `--print` writes the unit to stdout and touches nothing. The config is
 * loaded first: an invalid config is never installed.
 *
 * @module
 */

import { Command } from "@commander-js/extra-typings";
import { dirname } from "node:path";
import { loadConfig, splitConfigList } from "../config/loader.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import { supName } from "../config/resolved_control.ts";
import { renderUnit, stopTimeoutSeconds, unitName, unitPath } from "../control/service_unit.ts";
import { configArgument } from "./config_arg.ts";
import { UserError } from "./exit_codes.ts";
import { selfCommand } from "./run.ts";

/** Where the command's lines go. */
type Out = (text: string) => void;

/** The `service` command and its subcommands. */
export function serviceCommand(): Command {
  const service = new Command("service")
    .description("install sup as a systemd service (or remove it)");
  service.command("install")
    .description("write a systemd unit running this config, enable and start it")
    .argument("[config]", "config file, or a comma-separated list (default: ./sup.config.ts)")
    .argument("[mode]", "mode to apply")
    .option("--user", "a user unit (systemctl --user) instead of a system one")
    .option("--print", "print the unit and touch nothing")
    .action(async (config, mode, options, command) => {
      const out: Out = (text) => command.configureOutput().writeOut?.(text);
      await install(config, mode, options.user === true, options.print === true, out);
    });
  service.command("uninstall")
    .description("stop and disable the service of this config, remove its unit")
    .argument("[config]", "config file, or a comma-separated list (default: ./sup.config.ts)")
    .option("--user", "the user unit (systemctl --user)")
    .action(async (config, options, command) => {
      const out: Out = (text) => command.configureOutput().writeOut?.(text);
      await uninstall(config, options.user === true, out);
    });
  return service as unknown as Command;
}

/** The unit's name for a config: `sup-<name>`, `<name>` as the control socket's (`network.name`). */
function serviceName(config: ResolvedConfig): string {
  return unitName(supName(config.source, config.network.name));
}

async function install(
  arg: string | undefined,
  mode: string | undefined,
  user: boolean,
  print: boolean,
  out: Out,
): Promise<void> {
  const path = await configArgument(arg);
  const { config } = await loadConfig(path, mode);
  const name = serviceName(config);
  const text = renderUnit({
    name,
    config: splitConfigList(path).join(","),
    mode,
    command: selfCommand(),
    user,
    stopTimeoutSeconds: stopTimeoutSeconds(config),
    environment: { PATH: Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin" },
  });
  if (print) {
    out(text);
    return;
  }
  if (!user && Deno.uid() !== 0) {
    throw new UserError(
      "A system service is installed by root (sudo sup service install ...); " +
        "for a service of your own user, add --user",
    );
  }
  const file = unitPath(name, user);
  await Deno.mkdir(dirname(file), { recursive: true });
  await Deno.writeTextFile(file, text, { mode: 0o644 });
  out(`Wrote ${file}\n`);
  await systemctl(user, ["daemon-reload"], file);
  await systemctl(user, ["enable", "--now", `${name}.service`], file);
  const scope = user ? "--user " : "";
  out(`Enabled and started ${name}.service (systemctl ${scope}status ${name})\n`);
  if (user) {
    out(
      `To start it at boot without logging in: loginctl enable-linger ${
        Deno.env.get("USER") ?? "$USER"
      }\n`,
    );
  }
}

async function uninstall(arg: string | undefined, user: boolean, out: Out): Promise<void> {
  const path = await configArgument(arg);
  const { config } = await loadConfig(path);
  const name = serviceName(config);
  const file = unitPath(name, user);
  try {
    await Deno.stat(file);
  } catch {
    throw new UserError(`No unit "${file}" is installed for "${config.source}"`);
  }
  await systemctl(user, ["disable", "--now", `${name}.service`], file);
  await Deno.remove(file);
  await systemctl(user, ["daemon-reload"], file);
  out(`Stopped and disabled ${name}.service, removed ${file}\n`);
}

/** Runs `systemctl [--user] args`; a failure is a `UserError` quoting systemctl's words. */
async function systemctl(user: boolean, args: string[], file: string): Promise<void> {
  const argv = [...(user ? ["--user"] : []), ...args];
  let result: Deno.CommandOutput;
  try {
    result = await new Deno.Command("systemctl", { args: argv, stdin: "null" }).output();
  } catch (error) {
    throw new UserError(`Cannot run "systemctl ${argv.join(" ")}": ${error} (unit file: ${file})`);
  }
  if (!result.success) {
    const said = new TextDecoder().decode(result.stderr).trim();
    throw new UserError(
      `"systemctl ${argv.join(" ")}" failed (exit code ${result.code})${said ? `: ${said}` : ""}` +
        ` (unit file: ${file})`,
    );
  }
}
