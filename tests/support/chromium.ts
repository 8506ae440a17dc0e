/**
 * Launches Debian's headless Chromium with playwright-core for browser tests,
 * in a new empty profile that is removed on close.
 *
 * @module
 */

import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** A running browser; `close()` ends it and removes its profile. */
export interface TestBrowser {
  /** The browser's one (persistent) context. */
  context: BrowserContext;
  /** Opens a new tab. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Launches Chromium headless; throws a clear error when it is not installed.
 * A launch that fails leaves no profile folder behind.
 */
export async function launchChromium(
  path = CHROMIUM_PATH,
  /** Where the profile folder is made. @default the system temp folder */
  tmpDir?: string,
): Promise<TestBrowser> {
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(
      `Chromium is not installed at ${path} (apt-get update && apt-get install -y chromium)`,
    );
  }
  const profile = await Deno.makeTempDir({ dir: tmpDir, prefix: "sup-chromium-" });
  const context = await launch(path, profile).catch(async (error) => {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw error;
  });
  return {
    context,
    newPage: () => context.newPage(),
    async close() {
      await context.close().catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

function launch(path: string, profile: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
