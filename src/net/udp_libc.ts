/**
 * The libc functions the receiving UDP socket calls, loaded with
 * `Deno.dlopen` (stable FFI). A `Libc` is a small owned handle: the socket
 * that loads it closes it; nothing is kept in a module global. Receiving
 * only: no `sendto` here (sends go through one `node:dgram` sender).
 *
 * @module
 */

import { openLibc } from "../core/libc.ts";

const SYMBOLS = {
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  recvmmsg: {
    parameters: ["i32", "pointer", "u32", "i32", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  shutdown: { parameters: ["i32", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

/** The bound symbols. */
export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** libc, loaded; `close()` it when done (after every call on it has returned). */
export class Libc {
  readonly #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  #closed = false;

  private constructor(lib: Deno.DynamicLibrary<typeof SYMBOLS>) {
    this.#lib = lib;
  }

  /**
   * Loads glibc's `libc.so.6`; null without FFI permission (never prompts),
   * off 64-bit Linux (the struct layouts of `udp_layout.ts` are LP64 Linux
   * ones), or when it cannot be loaded (e.g. musl).
   */
  static open(): Libc | null {
    const lib = openLibc(SYMBOLS, { lp64: true });
    return lib === null ? null : new Libc(lib);
  }

  /** The functions. */
  get symbols(): LibcSymbols {
    return this.#lib.symbols;
  }

  /** This thread's errno: read it right after the failed call, on the same thread. */
  errno(): number {
    const at = this.#lib.symbols.__errno_location();
    return at === null ? -1 : new Deno.UnsafePointerView(at).getInt32();
  }

  /** Unloads; harmless twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lib.close();
  }
}
