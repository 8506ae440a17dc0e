/**
 * `logging.screenshots` (ampm's): right after a crash, run the capture
 * command (e.g. ImageMagick's `import -window root {file}`) and hand the
 * picture to the crash mail as an attachment. One capture per crash however
 * many mail listeners ask (they share it), one capture at a time, each
 * bounded by its timeout; the oldest pictures beyond `maxFiles` are deleted.
 * A capture that fails is logged and the mail goes without a picture.
 *
 * @module
 */

import { basename, dirname } from "node:path";
import { getLogger } from "@logtape/logtape";
import type { ResolvedScreenshots } from "../config/mail_resolved.ts";
import type { Attachment } from "../core/notifier_hub.ts";

const log = getLogger(["sup", "notify", "screenshots"]);

/** A file-name-safe local time: `2026-12-02_14-03-05-123`. */
export function fileStamp(at: number): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}_${p(d.getHours())}-${
    p(d.getMinutes())
  }-${p(d.getSeconds())}-${p(d.getMilliseconds(), 3)}`;
}

/** Captures already taken or under way, by crash (job and time): listeners share them. */
const recent = new Map<string, Promise<Attachment | null>>();
let chain: Promise<unknown> = Promise.resolve();

/**
 * The picture of the crash of `job` at `at` (taken once, shared), or null
 * when the capture failed.
 */
export function crashScreenshot(
  settings: ResolvedScreenshots,
  job: string,
  at: number,
): Promise<Attachment | null> {
  const key = `${job}\0${at}`;
  const known = recent.get(key);
  if (known) return known;
  const taken = chain.then(() => capture(settings, at));
  chain = taken;
  recent.set(key, taken);
  while (recent.size > 20) recent.delete(recent.keys().next().value!);
  return taken;
}

async function capture(settings: ResolvedScreenshots, at: number): Promise<Attachment | null> {
  const file = settings.file.replaceAll("{date}", fileStamp(at));
  const argv = settings.command.map((arg) => arg.replaceAll("{file}", file));
  try {
    await Deno.mkdir(dirname(file), { recursive: true });
    const out = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(settings.timeoutMs),
    }).output();
    if (!out.success) {
      const text = new TextDecoder().decode(out.stderr).trim().slice(0, 500);
      const how = out.signal ? `was killed by ${out.signal}` : `exited with code ${out.code}`;
      log.warn(`Screenshot command "${argv[0]}" ${how}${text ? `: ${text}` : ""}`);
      return null;
    }
    await Deno.stat(file);
  } catch (error) {
    log.warn(`Screenshot to "${file}" failed: ${(error as Error).message}`);
    return null;
  }
  await prune(settings);
  return { filename: basename(file), path: file };
}

/** Deletes the oldest pictures matching the file template beyond `maxFiles`. */
async function prune(settings: ResolvedScreenshots): Promise<void> {
  const dir = dirname(settings.file);
  const [head, tail] = basename(settings.file).split("{date}");
  if (tail === undefined) return; // one fixed file name: nothing accumulates
  const pictures: { name: string; mtime: number }[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.startsWith(head) || !entry.name.endsWith(tail)) continue;
      const stat = await Deno.stat(`${dir}/${entry.name}`);
      pictures.push({ name: entry.name, mtime: stat.mtime?.getTime() ?? 0 });
    }
    pictures.sort((a, b) => a.mtime - b.mtime || a.name.localeCompare(b.name));
    for (const old of pictures.slice(0, Math.max(0, pictures.length - settings.maxFiles))) {
      await Deno.remove(`${dir}/${old.name}`).catch(() => {});
    }
  } catch (error) {
    log.warn(`Cannot prune old screenshots in "${dir}": ${(error as Error).message}`);
  }
}
