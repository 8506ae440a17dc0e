/**
 * How sup reads `/proc` for `/metrics` and `sup status` (the OS adapter of
 * `proc_sampler.ts`): list the processes, open a process's `stat` and read
 * it again from the start as often as needed.
 *
 * Through libc (`Deno.dlopen`, as the UDP receiver does) when sup may use
 * FFI: `getdents64` lists `/proc` into a reused buffer and `open`/`pread`/
 * `close` read into the caller's buffer, so a pass at 500 jobs allocates
 * nothing in JavaScript. Deno's own calls are the fallback (no FFI
 * permission, not 64-bit Linux, a `proc` directory other than `/proc` in
 * tests); they made ~0.8 MiB of garbage per pass at 500 jobs (a `DirEntry`
 * per process, an `FsFile` and a path string per file), and that much
 * garbage every second kept V8 from ever shrinking sup's heap (its memory
 * reducer waits for a low allocation rate).
 *
 * A handle stays valid for the process it was opened for, not for its pid:
 * once that process has ended, reading gives 0 even when the pid has been
 * given to a new process. Listing gives with each pid the inode of its
 * `/proc` entry, which is new for each process, so a reused pid is told from
 * the process that had it before.
 *
 * @module
 */

import { openLibc } from "./libc.ts";

/** Reads `/proc`; `close()` when done. */
export interface ProcFiles {
  /**
   * Puts the pid of every process into `pids` (emptied first) and, at the
   * same index of `ids`, the inode of its `/proc` entry (0 when unknown);
   * none when `/proc` cannot be read.
   */
  listPids(pids: number[], ids?: number[]): void;
  /** Opens `/proc/<pid>/stat`: a handle (≥ 0), or -1 when the process has ended. */
  openStat(pid: number): number;
  /** Reads the handle's file from its start into `buf`: the bytes read, 0 once the process ended. */
  readFrom(handle: number, buf: Uint8Array<ArrayBuffer>): number;
  /** Closes a handle from `openStat`. */
  release(handle: number): void;
  /** Releases what it holds (handles not released are closed too). */
  close(): void;
}

/** The reader of `root` (default `/proc`): through libc where possible. */
export function openProcFiles(root = "/proc"): ProcFiles {
  return (root === "/proc" ? LibcProcFiles.open() : null) ?? new DenoProcFiles(root);
}

/** Deno's file calls: every platform and permission set, at the cost of garbage per file. */
export class DenoProcFiles implements ProcFiles {
  #root: string;
  #handles = new Map<number, Deno.FsFile>();
  #next = 0;

  /** Reads under `root`. */
  constructor(root = "/proc") {
    this.#root = root;
  }

  listPids(pids: number[], ids?: number[]): void {
    pids.length = 0;
    if (ids) ids.length = 0;
    try {
      for (const entry of Deno.readDirSync(this.#root)) {
        const pid = Number(entry.name);
        if (!Number.isInteger(pid) || pid <= 0) continue;
        pids.push(pid);
        if (ids) ids.push(inodeOf(`${this.#root}/${entry.name}`));
      }
    } catch {
      // Not Linux: no processes to read.
    }
  }

  openStat(pid: number): number {
    try {
      const file = Deno.openSync(`${this.#root}/${pid}/stat`);
      this.#handles.set(this.#next, file);
      return this.#next++;
    } catch {
      return -1;
    }
  }

  readFrom(handle: number, buf: Uint8Array<ArrayBuffer>): number {
    const file = this.#handles.get(handle);
    if (!file) return 0;
    try {
      file.seekSync(0, Deno.SeekMode.Start);
      return file.readSync(buf) ?? 0;
    } catch {
      return 0;
    }
  }

  release(handle: number): void {
    this.#handles.get(handle)?.close();
    this.#handles.delete(handle);
  }

  close(): void {
    this.#handles.forEach((file) => file.close());
    this.#handles.clear();
  }
}

function inodeOf(path: string): number {
  try {
    return Deno.statSync(path).ino ?? 0;
  } catch {
    return 0;
  }
}

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  pread: { parameters: ["i32", "buffer", "usize", "i64"], result: "isize" },
  close: { parameters: ["i32"], result: "i32" },
  getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize" },
} as const;

/** `O_RDONLY | O_CLOEXEC` (the same on x86-64 and arm64). */
const OPEN_FLAGS = 0o2000000;
const ZERO = 0x30, NINE = 0x39;
const PROC = new TextEncoder().encode("/proc/");
const STAT = new TextEncoder().encode("/stat\0");
/**
 * `struct linux_dirent64`: `d_ino` (u64, little-endian on both arches) at 0,
 * `d_reclen` (u16) at 16, `d_name` (NUL-terminated) at 19.
 */
const RECLEN_AT = 16, NAME_AT = 19;

/** libc's calls: no garbage per file. */
class LibcProcFiles implements ProcFiles {
  #lib: Deno.DynamicLibrary<typeof SYMBOLS>;
  /** The NUL-terminated path being opened. */
  #path = new Uint8Array(64);
  #dirents = new Uint8Array(32 * 1024);
  #direntWords = new Uint32Array(this.#dirents.buffer);
  #direntsSize = BigInt(32 * 1024);
  /** The size of the last buffer read into, as the `size_t` libc takes (a bigint made once). */
  #size = { bytes: 0, arg: 0n };
  #open = new Set<number>();
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
    const lib = openLibc(SYMBOLS, { lp64: true });
    return lib === null ? null : new LibcProcFiles(lib);
  }

  listPids(pids: number[], ids?: number[]): void {
    pids.length = 0;
    if (ids) ids.length = 0;
    const { open, getdents64, close } = this.#lib.symbols;
    this.#path.set(PROC);
    this.#path[PROC.length - 1] = 0; // "/proc"
    const fd = open(this.#path, OPEN_FLAGS);
    if (fd < 0) return;
    try {
      const buf = this.#dirents, words = this.#direntWords;
      for (;;) {
        const n = Number(getdents64(fd, buf, this.#direntsSize));
        if (n <= 0) return;
        for (let at = 0; at < n; at += buf[at + RECLEN_AT] | (buf[at + RECLEN_AT + 1] << 8)) {
          let pid = 0, i = at + NAME_AT;
          for (; buf[i] >= ZERO && buf[i] <= NINE; i++) pid = pid * 10 + buf[i] - ZERO;
          if (buf[i] !== 0 || i === at + NAME_AT || pid <= 0) continue;
          pids.push(pid);
          // Records are 8-byte aligned: d_ino is two 32-bit words.
          if (ids) ids.push(words[at >> 2] + words[(at >> 2) + 1] * 2 ** 32);
        }
      }
    } finally {
      close(fd);
    }
  }

  openStat(pid: number): number {
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
    path.set(STAT, at);
    const fd = this.#lib.symbols.open(path, OPEN_FLAGS);
    if (fd < 0) return -1;
    this.#open.add(fd);
    return fd;
  }

  readFrom(handle: number, buf: Uint8Array<ArrayBuffer>): number {
    if (this.#size.bytes !== buf.length) {
      this.#size = { bytes: buf.length, arg: BigInt(buf.length) };
    }
    const n = Number(this.#lib.symbols.pread(handle, buf, this.#size.arg, 0n));
    return n > 0 ? n : 0;
  }

  release(handle: number): void {
    if (this.#open.delete(handle)) this.#lib.symbols.close(handle);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#open.forEach((fd) => this.#lib.symbols.close(fd));
    this.#open.clear();
    this.#lib.close();
  }
}
