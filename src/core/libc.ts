/**
 * glibc's `libc.so.6` through `Deno.dlopen`, for the few calls sup makes
 * without Deno's own API (`recvmmsg` for UDP, `getdents64`/`pread` for
 * `/proc`, `malloc_trim`). One place decides when sup may try: on Linux,
 * with the FFI permission already granted (never a prompt).
 *
 * @module
 */

/** Options of `openLibc`. */
export interface OpenLibcOptions {
  /** Only on 64-bit Linux (x86-64, arm64): the caller lays out LP64 structs or `size_t`s. */
  lp64?: boolean;
}

/**
 * libc with `symbols` bound; null off Linux (or off 64-bit Linux with
 * `lp64`), without FFI permission, or when it cannot be loaded (e.g. musl,
 * or a glibc without one of the symbols).
 */
export function openLibc<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
  options: OpenLibcOptions = {},
): Deno.DynamicLibrary<S> | null {
  if (Deno.build.os !== "linux") return null;
  if (options.lp64 && Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") return null;
  if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
  try {
    return Deno.dlopen("libc.so.6", symbols);
  } catch {
    return null;
  }
}
