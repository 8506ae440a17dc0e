/**
 * The operator token a `sup run` wrote under its runtime directory
 * (`$XDG_RUNTIME_DIR/sup/*.token`), as request headers.
 *
 * @module
 */

import { until } from "../../src/testing/wait.ts";
import { readOperatorToken } from "../../src/web/operator_token.ts";

/** The path of the one token file under `runtimeDir` (waits, bounded, for sup to write it). */
export async function operatorTokenPath(runtimeDir: string, timeoutMs = 10_000): Promise<string> {
  let found = "";
  await until(
    () => {
      try {
        for (const entry of Deno.readDirSync(`${runtimeDir}/sup`)) {
          if (entry.name.endsWith(".token")) found = `${runtimeDir}/sup/${entry.name}`;
        }
      } catch {
        // Not yet created.
      }
      return found !== "";
    },
    `the operator token under ${runtimeDir}/sup`,
    timeoutMs,
  );
  return found;
}

/** `{ Authorization: "Bearer <token>" }` for the sup whose runtime directory is `runtimeDir`. */
export async function operatorHeaders(runtimeDir: string): Promise<Record<string, string>> {
  const token = await readOperatorToken(await operatorTokenPath(runtimeDir));
  return { Authorization: `Bearer ${token}` };
}
