import { deepStrictEqual, equal, match, ok } from "node:assert/strict";
import { gunzipFile } from "./gzip.ts";
import { folderMode, nextLocalMidnight, RotatingFile } from "./rotating_file.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (value: string) => new TextEncoder().encode(value);

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup_rotating_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("rotating file rotates by size, gzips old files and keeps every byte in order", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const rotated: string[] = [];
    const file = new RotatingFile(path, {
      maxBytes: 100,
      maxFiles: 10,
      daily: false,
      onRotate: (p) => rotated.push(p),
    });
    const lines = Array.from({ length: 25 }, (_, i) => `line ${String(i).padStart(3, "0")}\n`); // 9 bytes each
    for (const line of lines) file.write(bytes(line));
    await file.idle();
    ok(rotated.length >= 2, `expected rotations, got ${rotated.length}`);
    deepStrictEqual(new Set(rotated), new Set([path]));
    let all = "";
    for (let n = rotated.length; n >= 1; n--) {
      const old = text(await gunzipFile(`${path}.${n}.gz`));
      ok(old.length <= 100, `${path}.${n}.gz holds ${old.length} bytes`);
      ok(old.endsWith("\n"), "a rotation by size happens at a line end");
      all += old;
    }
    all += await Deno.readTextFile(path);
    equal(all, lines.join(""));
    await file.close();
  }));

Deno.test("rotating file keeps only maxFiles rotated files", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const file = new RotatingFile(path, { maxBytes: 10, maxFiles: 2, daily: false });
    for (let i = 0; i < 6; i++) {
      file.write(bytes(`${i}23456789\n`)); // exactly 10 bytes: one file each
      await file.flush();
    }
    await file.close();
    equal(await Deno.readTextFile(path), "523456789\n");
    equal(text(await gunzipFile(`${path}.1.gz`)), "423456789\n");
    equal(text(await gunzipFile(`${path}.2.gz`)), "323456789\n");
    equal(await exists(`${path}.3.gz`), false);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    deepStrictEqual(names, ["job.log", "job.log.1.gz", "job.log.2.gz"]);
  }));

Deno.test("rotating file with maxFiles 0 deletes rotated files", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const file = new RotatingFile(path, { maxBytes: 4, maxFiles: 0, daily: false });
    file.write(bytes("aaa\n"));
    await file.flush();
    file.write(bytes("bbb\n"));
    await file.close();
    deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["job.log"]);
    equal(await Deno.readTextFile(path), "bbb\n");
  }));

Deno.test("rotating file reopens its path after an external rename (logrotate)", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 3, daily: false });
    file.write(bytes("before\n"));
    await file.flush();
    await Deno.rename(path, `${path}.moved`);
    file.write(bytes("still old\n")); // written before reopen: follows the renamed file
    await file.reopen();
    file.write(bytes("after\n"));
    await file.close();
    equal(await Deno.readTextFile(`${path}.moved`), "before\nstill old\n");
    equal(await Deno.readTextFile(path), "after\n");
  }));

Deno.test("reopenOrRotate rotates a file that was not moved, reopens one that was", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 3, daily: false });
    file.write(bytes("first\n"));
    await file.reopenOrRotate();
    file.write(bytes("second\n"));
    await file.idle();
    equal(text(await gunzipFile(`${path}.1.gz`)), "first\n");
    await Deno.rename(path, `${path}.moved`);
    await file.reopenOrRotate();
    file.write(bytes("third\n"));
    await file.close();
    equal(await Deno.readTextFile(`${path}.moved`), "second\n");
    equal(await Deno.readTextFile(path), "third\n");
    equal(await exists(`${path}.2.gz`), false);
  }));

Deno.test("rotating file rotates at local midnight by its clock", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    let now = new Date(2026, 2, 10, 23, 59, 58).getTime();
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 3, daily: true, now: () => now });
    file.write(bytes("tuesday\n"));
    await file.flush();
    now += 1000; // 23:59:59, same day
    file.write(bytes("still tuesday\n"));
    await file.flush();
    now += 2000; // 00:00:01
    file.write(bytes("wednesday\n"));
    await file.close();
    equal(text(await gunzipFile(`${path}.1.gz`)), "tuesday\nstill tuesday\n");
    equal(await Deno.readTextFile(path), "wednesday\n");
  }));

Deno.test("a log file last written on an earlier day is rotated at the first write", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    await Deno.writeTextFile(path, "yesterday\n");
    const yesterday = new Date(Date.now() - 86_400_000);
    await Deno.utime(path, yesterday, yesterday);
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 3, daily: true });
    file.write(bytes("today\n"));
    await file.close();
    equal(text(await gunzipFile(`${path}.1.gz`)), "yesterday\n");
    equal(await Deno.readTextFile(path), "today\n");
  }));

Deno.test("next local midnight is the start of the following day", () => {
  const at = new Date(2026, 0, 31, 15, 30).getTime();
  equal(nextLocalMidnight(at), new Date(2026, 1, 1).getTime());
  const midnight = new Date(2026, 5, 1).getTime();
  equal(nextLocalMidnight(midnight), new Date(2026, 5, 2).getTime());
  equal(nextLocalMidnight(midnight - 1), midnight);
});

Deno.test("rotating file creates a missing directory", () =>
  withDir(async (dir) => {
    const path = `${dir}/logs/deep/job.log`;
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 1, daily: false });
    file.write(bytes("hi\n"));
    await file.close();
    equal(await Deno.readTextFile(path), "hi\n");
  }));

Deno.test("a file that cannot be opened is reported once and never throws", () =>
  withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/plain`, "");
    const errors: Error[] = [];
    const file = new RotatingFile(`${dir}/plain/job.log`, {
      maxBytes: 0,
      maxFiles: 1,
      daily: false,
      onError: (error) => errors.push(error),
    });
    for (let i = 0; i < 5; i++) {
      file.write(bytes("lost\n"));
      await file.flush();
    }
    await file.close();
    equal(errors.length, 1);
    match(errors[0].message, /^Cannot write output file ".*\/plain\/job\.log": /);
  }));

Deno.test("a rotation left half done by a stopped sup is archived on the next start", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    await Deno.writeTextFile(`${path}.rotating-1000-0`, "orphaned\n");
    await Deno.writeTextFile(`${path}.rotating-1000-0.gz`, "half a gzip");
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 3, daily: false });
    file.write(bytes("new\n"));
    await file.close();
    equal(text(await gunzipFile(`${path}.1.gz`)), "orphaned\n");
    deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "job.log",
      "job.log.1.gz",
    ]);
  }));

Deno.test("writes go on while a large rotated file is being compressed", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const file = new RotatingFile(path, { maxBytes: 8 * 1024 * 1024, maxFiles: 2, daily: false });
    const line = bytes("x".repeat(1023) + "\n");
    for (let i = 0; i < 8 * 1024; i++) file.write(line); // exactly 8 MiB: fills the first file
    await file.flush();
    file.write(bytes("next\n")); // rotates; compressing 8 MiB now runs in the background
    await file.flush();
    // The write after the rotation is in the new file while the old one may still be compressing.
    equal(await Deno.readTextFile(path), "next\n");
    await file.close();
    equal((await gunzipFile(`${path}.1.gz`)).length, 8 * 1024 * 1024);
  }));

Deno.test("needsDrain turns on above the high-water mark and drained() resolves as writes land", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const file = new RotatingFile(path, {
      maxBytes: 0,
      maxFiles: 0,
      daily: false,
      highWaterBytes: 64 * 1024,
    });
    const chunk = new Uint8Array(16 * 1024).fill(0x61);
    for (let i = 0; i < 8; i++) file.write(chunk);
    equal(file.needsDrain, true);
    await file.drained();
    ok(file.queuedBytes < 32 * 1024, `still ${file.queuedBytes} bytes queued`);
    await file.close();
    equal((await Deno.stat(path)).size, 8 * 16 * 1024);
  }));

Deno.test("the writer's buffer may be reused by the caller right after write", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 0, daily: false });
    const buffer = new Uint8Array(4);
    for (const word of ["abc\n", "def\n"]) {
      buffer.set(bytes(word));
      file.write(buffer);
    }
    await file.close();
    equal(await Deno.readTextFile(path), "abc\ndef\n");
  }));

const modeOf = async (path: string) => (await Deno.stat(path)).mode! & 0o777;

Deno.test("log files are created 0600 and their folders 0700, whatever the umask", () =>
  withDir(async (dir) => {
    const old = Deno.umask(0o022);
    try {
      const path = `${dir}/logs/job.log`;
      const file = new RotatingFile(path, { maxBytes: 4, maxFiles: 2, daily: false });
      file.write(bytes("secret\nmore\n"));
      await file.close();
      equal(await modeOf(path), 0o600);
      equal(await modeOf(`${dir}/logs`), 0o700);
      const rotated = `${path}.1.gz`;
      ok(await exists(rotated), "a rotated copy exists");
      equal(await modeOf(rotated), 0o600, "the gzipped copy keeps the file's mode");
    } finally {
      Deno.umask(old);
    }
  }));

Deno.test("a log file an older sup left world-readable is narrowed when opened", () =>
  withDir(async (dir) => {
    const path = `${dir}/job.log`;
    await Deno.writeTextFile(path, "old\n", { mode: 0o644 });
    await Deno.chmod(path, 0o644);
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 2, daily: false });
    file.write(bytes("new\n"));
    await file.close();
    equal(await modeOf(path), 0o600);
    equal(await Deno.readTextFile(path), "old\nnew\n");
  }));

Deno.test("logging.fileMode widens log files and their folders on purpose", () =>
  withDir(async (dir) => {
    const path = `${dir}/shared/job.log`;
    const file = new RotatingFile(path, { maxBytes: 0, maxFiles: 2, daily: false, mode: 0o640 });
    file.write(bytes("line\n"));
    await file.close();
    equal(await modeOf(path), 0o640);
    equal(await modeOf(`${dir}/shared`), 0o750);
    deepStrictEqual([0o600, 0o640, 0o644].map(folderMode), [0o700, 0o750, 0o755]);
  }));
