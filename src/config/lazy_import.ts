/**
 * `import()` of one of sup's own modules that `deno run` does not read
 * before the import runs.
 *
 * For every `import("./literal.ts")` in the modules it loads, `deno run`
 * reads the named module, and everything that module imports, when it
 * starts, and keeps their sources for the life of the process, whether the
 * import ever runs or not (denoland/deno#23149). With the commands of the
 * CLI and the features of `sup run` behind such imports, a plain `sup run`
 * read 249 files (1,089 KiB) to load 161, and held 0.9 MiB of RSS for the
 * ones it never ran (bench/README.md, "What issues 9 and 10 cost a plain
 * config"). A specifier that is a value, not a literal, is read when the
 * import runs. Deno's own way out (`--unstable-lazy-dynamic-imports`) also
 * leaves these modules out of `deno compile` when the build has
 * `--include`s, as sup's does; so instead each module imported here is an
 * `--include` of the compile task (tests/lazy_loading_test.ts checks that).
 *
 * Call as `lazyImport<typeof import("./x.ts")>(new URL("./x.ts", import.meta.url))`:
 * the type argument keeps the call type-checked (a type is never read at
 * run time), and the test checks both name the same file.
 *
 * @module
 */

/** Imports the module at `url` (one of sup's own, relative to the caller's `import.meta.url`). */
export function lazyImport<M>(url: URL): Promise<M> {
  return import(url.href);
}
