/**
 * The operator token: a random secret (256 bits from WebCrypto) that sup
 * writes at every start to a file only its user can read (mode 0600), next
 * to its runtime state file (in a folder sup creates 0700). Operator routes
 * over TCP answer only requests carrying `Authorization: Bearer <token>`,
 * so another local user (or a program running as one) cannot stop jobs or
 * read their output through 127.0.0.1:
 *
 * ```sh
 * curl -H "Authorization: Bearer $(cat /run/sup/sup.config.ts-1a2b3c4d.token)" \
 *   http://127.0.0.1:8888/api/status
 * ```
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";

/** The token and the file it is in. */
export interface OperatorToken {
  /** The secret, base64url (43 characters). */
  token: string;
  /** Where it was written. */
  path: string;
}

/** The token file beside runtime state file `statePath` ("x.json" → "x.token"). */
export function tokenFilePath(statePath: string): string {
  return `${statePath.replace(/\.json$/, "")}.token`;
}

/** A fresh random token, base64url of 32 random bytes. */
export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * Writes a new token to `path` with mode 0600: a fresh file (`O_EXCL`, so
 * never through a planted symlink) renamed over the old one.
 */
export async function writeOperatorToken(path: string): Promise<OperatorToken> {
  const token = newToken();
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.remove(tmp).catch(() => {});
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  try {
    await file.write(new TextEncoder().encode(`${token}\n`));
  } finally {
    file.close();
  }
  await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
  return { token, path };
}

/** Deletes the token file when sup stops (a token of a stopped sup opens nothing, but says nothing either). */
export function removeOperatorToken(at: OperatorToken): void {
  try {
    Deno.removeSync(at.path);
  } catch {
    // Already gone.
  }
}

/** Reads the token sup wrote to `path` (the CLI and tests use it). */
export async function readOperatorToken(path: string): Promise<string> {
  return (await Deno.readTextFile(path)).trim();
}

/**
 * The operator guard: 401 unless the request carries `Authorization: Bearer
 * <token>`; the answer names the token file (its content is never shown).
 */
export function requireOperatorToken(at: OperatorToken): MiddlewareHandler {
  const expected = new TextEncoder().encode(`Bearer ${at.token}`);
  return async (c, next) => {
    const given = new TextEncoder().encode(c.req.header("authorization") ?? "");
    if (!sameBytes(given, expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="sup operator API"');
      return c.json({
        error: `${c.req.method} ${c.req.path} is an operator route: send "Authorization: Bearer ` +
          `<token>" with the token sup wrote to "${at.path}" (readable by sup's user only)`,
      }, 401);
    }
    await next();
  };
}

/** Compares in time that depends on the length only. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i];
  return diff === 0;
}
