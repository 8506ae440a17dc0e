import { equal } from "node:assert/strict";
import { gunzipFile } from "../core/gzip.ts";
import { LogArchive } from "../core/log_archive.ts";
import { copyTruncate, OutputLogRotation } from "./output_log.ts";

Deno.test("copy-and-truncate moves the content aside and the appending writer goes on at the start", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-output-log-" });
  const path = `${dir}/sup.log`;
  try {
    // sup's stdout: a descriptor opened in append mode by the shell that started it.
    const writer = await Deno.open(path, { append: true, create: true });
    await writer.write(new TextEncoder().encode("old line\n".repeat(200)));
    const archive = new LogArchive(path, 2, (error) => {
      throw error;
    });
    equal(await copyTruncate(path, 10_000, archive), false, "under the limit: nothing to do");
    equal(await copyTruncate(path, 1_000, archive), true);
    await writer.write(new TextEncoder().encode("new line\n"));
    writer.close();
    await archive.idle();
    equal(await Deno.readTextFile(path), "new line\n");
    const old = new TextDecoder().decode(await gunzipFile(`${path}.1.gz`));
    equal(old, "old line\n".repeat(200));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the rotation checks on demand with the limits of the moment", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sup-output-log-" });
  const path = `${dir}/sup.log`;
  try {
    await Deno.writeTextFile(path, "x".repeat(5_000));
    let maxBytes = 10_000;
    const errors: string[] = [];
    const rotation = new OutputLogRotation(
      path,
      () => ({ maxBytes, maxFiles: 1 }),
      (e) => errors.push(e),
    );
    await rotation.check();
    equal((await Deno.stat(path)).size, 5_000);
    maxBytes = 1_000; // a reload lowered logging.maxBytes
    await rotation.check();
    await rotation.close();
    equal((await Deno.stat(path)).size, 0);
    equal((await Deno.stat(`${path}.1.gz`)).isFile, true);
    equal(errors.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
