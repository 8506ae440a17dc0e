/**
 * Turns a user config into a `ResolvedConfig` (every default from the
 * `@default` tags in `types.ts` applied, durations in ms, sizes in bytes,
 * paths absolute, `shell: true` turned into `["/bin/sh", "-c", cmd]`, `wait`
 * implying `once`), or throws a `ConfigError` listing every problem.
 *
 * @module
 */

import { ConfigError } from "./config_error.ts";
import type { ResolvedConfig } from "./resolved.ts";
import { validateConfig, type ValidateOptions } from "./validate.ts";

/** Resolves `input` or rejects with a `ConfigError` listing every issue. */
export async function resolveConfig(
  input: unknown,
  options: ValidateOptions,
): Promise<ResolvedConfig> {
  const result = await validateConfig(input, options);
  if (result.ok) return result.config;
  throw new ConfigError(result.issues, { source: options.source });
}
