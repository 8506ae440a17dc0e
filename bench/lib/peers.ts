/**
 * Finds the supervisors under test and their versions: sup (dist/sup, else
 * `deno run -A main.ts`), supervisord (Debian package `supervisor`) and PM2
 * (bench/.peers, installed by bench/install_peers.sh, else on PATH).
 *
 * @module
 */

/** Where a supervisor's program is and which version it is. */
export interface PeerInfo {
  /** argv prefix that runs it. */
  argv: string[];
  /** Its version as it reports it. */
  version: string;
}

const repo = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The repository root (where main.ts is). */
export function repoRoot(): string {
  return repo;
}

async function output(cmd: string, args: string[]): Promise<string | undefined> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    if (!out.success) return undefined;
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return undefined;
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * How to run sup: `bin` when given, else `dist/sup` when built (unless
 * `preferSource`), else `deno run -A [--v8-flags=…] main.ts`.
 */
export async function findSup(
  preferSource = false,
  bin?: string,
  v8Flags?: string,
): Promise<PeerInfo> {
  const denoJson = JSON.parse(await Deno.readTextFile(`${repo}/deno.json`));
  const commit = await output("git", ["-C", repo, "rev-parse", "--short", "HEAD"]);
  const dirty = await output("git", ["-C", repo, "status", "--porcelain", "--", "src", "main.ts"]);
  const rev = `${denoJson.version ?? "?"}${commit ? ` (${commit}${dirty ? "+changes" : ""})` : ""}`;
  // By default, the V8 flags the compiled binary is built with (deno.json's
  // "compile" task), so `deno run` measures what users run.
  const v8 = v8Flags ?? /--v8-flags=(\S+)/.exec(denoJson.tasks?.compile ?? "")?.[1];
  const flags = v8 ? [`--v8-flags=${v8}`] : [];
  if (bin) return { argv: [bin], version: `${rev}, ${bin}` };
  const dist = `${repo}/dist/sup`;
  if (!preferSource && exists(dist)) return { argv: [dist], version: `${rev}, dist/sup` };
  return {
    argv: [Deno.execPath(), "run", "-A", ...flags, `${repo}/main.ts`],
    version: `${rev}, deno ${Deno.version.deno} run${flags.length ? ` ${flags[0]}` : ""}`,
  };
}

/** supervisord, or undefined when it is not installed. */
export async function findSupervisord(): Promise<PeerInfo | undefined> {
  const version = await output("supervisord", ["--version"]);
  return version ? { argv: ["supervisord"], version } : undefined;
}

/** PM2 (its CLI under node), or undefined when it is not installed. */
export async function findPm2(): Promise<PeerInfo | undefined> {
  const local = `${repo}/bench/.peers/node_modules/pm2`;
  let dir = exists(`${local}/package.json`) ? local : undefined;
  if (!dir) {
    const root = await output("npm", ["root", "-g"]);
    if (root && exists(`${root}/pm2/package.json`)) dir = `${root}/pm2`;
  }
  if (!dir) return undefined;
  const pkg = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
  const node = await output("node", ["--version"]);
  if (!node) return undefined;
  return { argv: ["node", `${dir}/bin/pm2`], version: `${pkg.version} (node ${node})` };
}
