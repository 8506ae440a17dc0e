/**
 * How `/metrics` reads `/proc` (the OS adapter of `metrics_proc.ts`): list
 * the pids, read one small file of a process into a buffer the caller keeps.
 *
 * Through libc (`Deno.dlopen`, as the UDP receiver does) when sup may use
 * FFI: `getdents64` lists `/proc` into a reused buffer and `open`/`read`/
 * `close` read a file into the caller's, so a pass over ~1,100 files at 500
 * jobs allocates nothing in JavaScript. Deno's own calls are the fallback
 * (no FFI permission, not 64-bit Linux, a `proc` directory other than
 * `/proc` in tests); they made ~0.8 MiB of garbage per pass at 500 jobs
 * (a `DirEntry` per process, an `FsFile` and a path string per file), and
 * that much garbage every second kept V8 from ever shrinking sup's heap (its
 * memory reducer waits for a low allocation rate).
 *
 * @module
 */

/** A file of `/proc/<pid>/` that `/metrics` reads. */
export type ProcFile = "stat" | "statm";

/** Reads `/proc`; `close()` when done. */
export interface ProcFiles {
  /** Puts the pid of every process into `out` (emptied first); none when `/proc` cannot be read. */
  listPids(out: number[]): void;
  /** Reads `/proc/<pid>/<file>` into `buf`: the bytes read, 0 when it cannot (the process ended). */
  read(pid: number, file: ProcFile, buf: Uint8Array<ArrayBuffer>): number;
  /** Releases what it holds. */
  close(): void;
}

/** The reader of `root` (default `/proc`): through libc where possible. */
export function openProcFiles(root = "/proc"): ProcFiles {
  return (root === "/proc" ? LibcProcFiles.open() : null) ?? new DenoProcFiles(root);
}

/** Deno's file calls: every platform and permission set, at the cost of garbage per file. */
export class DenoProcFiles implements ProcFiles {
  #root: string;

  /** Reads under `root`. */
  constructor(root = "/proc") {
    this.#root = root;
  }

  listPids(out: number[]): void {
    out.length = 0;
    try {
      for (const entry of Deno.readDirSync(this.#root)) {
        const pid = Number(entry.name);
        if (Number.isInteger(pid) && pid > 0) out.push(pid);
      }
    } catch {
      // Not Linux: no processes to read.
    }
  }

  read(pid: number, file: ProcFile, buf: Uint8Array<ArrayBuffer>): number {
    let handle: Deno.FsFile | undefined;
    try {
      handle = Deno.openSync(`${this.#root}/${pid}/${file}`);
      return handle.readSync(buf) ?? 0;
    } catch {
      return 0;
    } finally {
      handle?.close();
    }
  }

  close(): void {}
}

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize" },
} as const;

/** `O_RDONLY | O_CLOEXEC` (the same on x86-64 and arm64). */
const OPEN_FLAGS = 0o2000000;
const ZERO = 0x30, NINE = 0x39, SLASH = 0x2f;
const PROC = new TextEncoder().encode("/proc/");
const NAMES: Record<ProcFile, Uint8Array> = {
  stat: new TextEncoder().encode("stat\0"),
  statm: new TextEncoder().encode("statm\0"),
};
/** `struct linux_dirent64`: `d_reclen` (u16) at 16, `d_name` (NUL-terminated) at 19. */
const RECLEN_AT = 16, NAME_AT = 19;

/** libc's calls: no garbage per file. */
class LibcProcFiles implements ProcFiles {
  #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  /** The NUL-terminated path being opened. */
  #path = new Uint8Array(64);
  #dirents = new Uint8Array(32 * 1024);
  #direntsSize = BigInt(32 * 1024);
  /** The size of the last buffer read into, as the `size_t` libc takes (a bigint made once). */
  #size = { bytes: 0, arg: 0n };
  #closed = false;

  private constructor(lib: Deno.DynamicLibrary<typeof SYMBOLS>) {
    this.#lib = lib;
  }

  /**
   * glibc's `libc.so.6`; null without FFI permission (never prompts), off
   * 64-bit Linux, or when it cannot be loaded (e.g. musl, glibc < 2.30
   * without `getdents64`).
   */
  static open(): LibcProcFiles | null {
    if (Deno.build.os !== "linux") return null;
    if (Deno.build.arch !== "x86_64" && Deno.build.arch !== "aarch64") return null;
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    try {
      return new LibcProcFiles(Deno.dlopen("libc.so.6", SYMBOLS));
    } catch {
      return null;
    }
  }

  listPids(out: number[]): void {
    out.length = 0;
    const { open, getdents64, close } = this.#lib.symbols;
    this.#path.set(PROC);
    this.#path[PROC.length - 1] = 0; // "/proc"
    const fd = open(this.#path, OPEN_FLAGS);
    if (fd < 0) return;
    try {
      const buf = this.#dirents;
      for (;;) {
        const n = Number(getdents64(fd, buf, this.#direntsSize));
        if (n <= 0) return;
        for (let at = 0; at < n; at += buf[at + RECLEN_AT] | (buf[at + RECLEN_AT + 1] << 8)) {
          let pid = 0, i = at + NAME_AT;
          for (; buf[i] >= ZERO && buf[i] <= NINE; i++) pid = pid * 10 + buf[i] - ZERO;
          if (buf[i] === 0 && i > at + NAME_AT && pid > 0) out.push(pid);
        }
      }
    } finally {
      close(fd);
    }
  }

  read(pid: number, file: ProcFile, buf: Uint8Array<ArrayBuffer>): number {
    const path = this.#path;
    path.set(PROC);
    let at = PROC.length;
    let digits = 1;
    for (let rest = pid; rest >= 10; rest = (rest - (rest % 10)) / 10) digits++;
    for (let i = at + digits - 1, rest = pid; i >= at; i--) {
      path[i] = ZERO + (rest % 10);
      rest = (rest - (rest % 10)) / 10;
    }
    at += digits;
    path[at++] = SLASH;
    path.set(NAMES[file], at);
    const { open, read, close } = this.#lib.symbols;
    const fd = open(path, OPEN_FLAGS);
    if (fd < 0) return 0;
    try {
      if (this.#size.bytes !== buf.length) {
        this.#size = { bytes: buf.length, arg: BigInt(buf.length) };
      }
      const n = Number(read(fd, buf, this.#size.arg));
      return n > 0 ? n : 0;
    } finally {
      close(fd);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#lib.close();
  }
}
