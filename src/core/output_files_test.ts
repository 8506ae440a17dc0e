import { deepStrictEqual, equal, ok, strictEqual } from "node:assert/strict";
import { EventBus } from "./event_bus.ts";
import type { SupEvent } from "./events.ts";
import { gunzipFile } from "./gzip.ts";
import { type FileOutput, OutputFiles } from "./output_files.ts";

const bytes = (value: string) => new TextEncoder().encode(value);
const target = (path: string, maxBytes = 0): FileOutput => ({
  kind: "file",
  path,
  maxBytes,
  maxFiles: 3,
  daily: false,
  mode: 0o600,
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup_files_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("one path opened twice is one writer, closed by the last release", () =>
  withDir(async (dir) => {
    const files = new OutputFiles();
    const path = `${dir}/job.log`;
    const a = files.open(target(path));
    const b = files.open(target(path));
    strictEqual(a, b);
    a.write(bytes("from a\n"));
    await files.release(path);
    deepStrictEqual(files.paths(), [path]);
    b.write(bytes("from b\n"));
    await files.release(path);
    deepStrictEqual(files.paths(), []);
    b.write(bytes("after close\n")); // dropped, no throw
    equal(await Deno.readTextFile(path), "from a\nfrom b\n");
    const again = files.open(target(path));
    ok(again !== a, "a released path opens a new writer");
    await files.closeAll();
  }));

Deno.test("rotations are announced as log.rotated events", () =>
  withDir(async (dir) => {
    const bus = new EventBus();
    const events: SupEvent[] = [];
    bus.on("log.rotated", (event) => events.push(event));
    const files = new OutputFiles({ bus });
    const path = `${dir}/job.log`;
    const file = files.open(target(path, 6));
    file.write(bytes("12345\n"));
    await file.flush();
    file.write(bytes("67890\n"));
    await files.closeAll();
    equal(events.length, 1);
    const [event] = events;
    ok(event.type === "log.rotated" && event.path === path);
  }));

Deno.test("reopenAll (SIGUSR1) reopens renamed files and rotates the others", () =>
  withDir(async (dir) => {
    const files = new OutputFiles();
    const moved = files.open(target(`${dir}/moved.log`));
    const kept = files.open(target(`${dir}/kept.log`));
    moved.write(bytes("old moved\n"));
    kept.write(bytes("old kept\n"));
    await Promise.all([moved.flush(), kept.flush()]);
    await Deno.rename(`${dir}/moved.log`, `${dir}/moved.log.1`); // what logrotate does
    await files.reopenAll();
    moved.write(bytes("new moved\n"));
    kept.write(bytes("new kept\n"));
    await files.closeAll();
    equal(await Deno.readTextFile(`${dir}/moved.log.1`), "old moved\n");
    equal(await Deno.readTextFile(`${dir}/moved.log`), "new moved\n");
    equal(new TextDecoder().decode(await gunzipFile(`${dir}/kept.log.1.gz`)), "old kept\n");
    equal(await Deno.readTextFile(`${dir}/kept.log`), "new kept\n");
  }));
