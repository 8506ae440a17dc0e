import { deepStrictEqual, rejects } from "node:assert/strict";
import { launchChromium } from "./support/chromium.ts";

/** Runs `fn` with a private folder for the browser's profile and lists what it left there. */
async function leftIn(fn: (dir: string) => Promise<void>): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "sup-tmpdir-" });
  try {
    await fn(dir);
    return [...Deno.readDirSync(dir)].map((e) => e.name);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a browser that cannot start leaves no profile folder behind", async () => {
  // An executable that is not a browser: playwright's launch fails at once.
  deepStrictEqual(await leftIn((dir) => rejects(launchChromium("/bin/false", dir))), []);
});

Deno.test("a missing browser is a clear error and creates nothing", async () => {
  const left = await leftIn((dir) =>
    rejects(launchChromium("/nonexistent/chromium", dir), /Chromium is not installed/)
  );
  deepStrictEqual(left, []);
});
