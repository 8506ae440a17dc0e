/**
 * The CLI on a terminal, driven in tmux (send-keys, capture-pane):
 * `sup status --watch` redraws in place and shows a state change live, in
 * colour, and Ctrl-C ends it cleanly; with several sups running, `sup
 * status` asks which one.
 */
import { equal, match, ok } from "node:assert/strict";
import { until } from "../src/testing/wait.ts";
import { cliOf, envOf } from "./support/control_cli.ts";
import { startSupProcess } from "./support/sup_run.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

function tmuxMissing(): string | null {
  try {
    const out = new Deno.Command("tmux", { args: ["-V"], stdout: "null", stderr: "null" })
      .outputSync();
    return out.success ? null : "tmux -V failed";
  } catch {
    return "tmux is not installed (Debian tmux; .ci/run installs it)";
  }
}
const skip = tmuxMissing();
if (skip) console.warn(`control_watch_test skipped: ${skip}`);

/** A tmux server of the test's own (its own socket file), ended with kill-server at dispose. */
class Tmux implements AsyncDisposable {
  readonly dir = Deno.makeTempDirSync({ prefix: "sup-tmux-" });
  readonly socket = `${this.dir}/tmux.sock`;

  async run(...args: string[]): Promise<string> {
    const out = await new Deno.Command("tmux", {
      args: ["-S", this.socket, ...args],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(10_000),
    }).output();
    const text = new TextDecoder();
    if (!out.success) throw new Error(`tmux ${args.join(" ")}: ${text.decode(out.stderr)}`);
    return text.decode(out.stdout);
  }

  /** Starts `argv` with `env` in a detached 160×40 session "t" whose pane stays after it exits. */
  async start(argv: string[], env: Record<string, string>, dir: string): Promise<void> {
    const script = `${dir}/tmux-cli.sh`;
    const vars = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(" ");
    await Deno.writeTextFile(
      script,
      `#!/bin/sh\nexec env ${vars} ${argv.map((a) => `'${a}'`).join(" ")}\n`,
      { mode: 0o755 },
    );
    await this.run("new-session", "-d", "-s", "t", "-x", "160", "-y", "40", script);
    await this.run("set-option", "-t", "t", "remain-on-exit", "on");
  }

  /** The pane's text (with `escapes`: its colours as SGR sequences). */
  screen(escapes = false): Promise<string> {
    return this.run("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", "t");
  }

  async waitFor(pattern: RegExp, what: string): Promise<string> {
    let text = "";
    await until(async () => pattern.test(text = await this.screen()), what, 20_000).catch(
      (error) => {
        throw new Error(`${error.message}; screen:\n${text}`);
      },
    );
    return text;
  }

  /**
   * "1 0" when the program in the pane ended with exit code 0; "1" alone
   * while tmux has not reaped it yet (its status is not known then).
   */
  dead(): Promise<string> {
    return this.run("list-panes", "-t", "t", "-F", "#{pane_dead} #{pane_dead_status}")
      .then((s) => s.trim());
  }

  /** Waits until the program in the pane has ended (with code 0, when tmux knows it). */
  async ended(what: string): Promise<void> {
    let state = "";
    await until(async () => /^1( 0)?$/.test(state = await this.dead()), what, 20_000).catch(
      async (error) => {
        throw new Error(`${error.message} (pane: "${state}"); screen:\n${await this.screen()}`);
      },
    );
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.run("kill-server").catch(() => {});
    await Deno.remove(this.dir, { recursive: true });
  }
}

Deno.test({
  name: "status --watch shows a state change live, in colour, and ends on Ctrl-C",
  ignore: skip !== null,
  async fn() {
    await using sup = await startSupProcess(() => ({
      jobs: { web: { cmd: "sleep 600" }, worker: { cmd: "sleep 600" } },
    }));
    await using tmux = new Tmux();
    await tmux.start(
      [Deno.execPath(), "run", "-A", "--quiet", MAIN, "status", "-w"],
      envOf(sup),
      sup.dir,
    );
    await tmux.waitFor(/^web +running +\d+/m, "web running on screen");
    const colored = await tmux.screen(true);
    const green = new RegExp("\x1b\\[32m(\x1b\\[[0-9;]*m)*running");
    ok(green.test(colored), `running in green:\n${colored}`);
    match(await tmux.screen(), /Every 1s · Ctrl-C to quit/);

    const stop = await cliOf(sup, ["stop", "web"]);
    equal(stop.code, 0, stop.stderr);
    const screen = await tmux.waitFor(/^web +stopped +-/m, "web stopped on screen, live");
    match(screen, /^worker +running/m);
    equal(screen.match(/^JOB /gm)?.length, 1, "redrawn in place, not appended");

    await tmux.run("send-keys", "-t", "t", "C-c");
    await tmux.ended("the watch to end with code 0");
    const after = await tmux.screen();
    ok(!after.includes("JOB "), "the alternate screen was left: the table is gone");
  },
});

Deno.test({
  name: "with several sups running, status on a terminal asks which one",
  ignore: skip !== null,
  async fn() {
    await using a = await startSupProcess(() => ({
      network: { name: "alpha" },
      jobs: { one: { cmd: "sleep 600" } },
    }));
    const folder = `${a.dir}/runtime/sup`;
    await using _b = await startSupProcess(() => ({
      network: { name: "beta", socket: { path: `${folder}/beta.sock` } },
      jobs: { two: { cmd: "sleep 600" } },
    }));
    await using tmux = new Tmux();
    await tmux.start(
      [Deno.execPath(), "run", "-A", "--quiet", MAIN, "status"],
      { XDG_RUNTIME_DIR: `${a.dir}/runtime`, SUP_STATE_DIR: folder, NO_COLOR: "1" },
      a.dir,
    );
    const question = await tmux.waitFor(/Which one\? \[1-2\]/, "the question");
    match(question, /^1\) +alpha +pid \d+/m);
    match(question, /^2\) +beta +pid \d+/m);
    await tmux.run("send-keys", "-t", "t", "2", "Enter");
    const table = await tmux.waitFor(/^two +running/m, "beta's table");
    ok(!/^one /m.test(table), "only the chosen sup's jobs");
    await tmux.ended("status to end with code 0");
  },
});
