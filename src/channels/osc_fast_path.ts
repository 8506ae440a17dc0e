/**
 * The heartbeat hot path: recognise the exact bytes of `/heart`, `/heart ,`
 * and `/heart ,s <job>` without a full decode, and ampm's bare `heart`
 * datagram. Everything else goes to `decodeOsc`.
 *
 * @module
 */

// "/heart\0\0"
const HEART = [0x2f, 0x68, 0x65, 0x61, 0x72, 0x74, 0, 0];
const NO_JOB = Symbol("no job");
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** `matchHeart` found a `/heart` with no job argument. */
export const HEART_NO_JOB: typeof NO_JOB = NO_JOB;

/**
 * The job named by a plain `/heart` message: its name, `HEART_NO_JOB` when
 * it names none, or undefined when `bytes` is anything else (decode it fully).
 */
export function matchHeart(bytes: Uint8Array): string | typeof NO_JOB | undefined {
  const n = bytes.length;
  if (n < 8 || n % 4 !== 0) return undefined;
  for (let i = 0; i < 8; i++) if (bytes[i] !== HEART[i]) return undefined;
  if (n === 8) return NO_JOB;
  if (bytes[8] !== 0x2c || bytes[10] !== 0 || bytes[11] !== 0) return undefined;
  if (bytes[9] === 0) return n === 12 ? NO_JOB : undefined;
  if (bytes[9] !== 0x73 /* s */ || n < 16) return undefined;
  // One string argument from byte 12: its NUL, then NUL padding to the end.
  let nul = 12;
  let ascii = true;
  while (nul < n && bytes[nul] !== 0) {
    if (bytes[nul] > 0x7e || bytes[nul] < 0x20) ascii = false;
    nul++;
  }
  if (nul === n || ((nul + 4) & ~3) !== n) return undefined;
  for (let i = nul + 1; i < n; i++) if (bytes[i] !== 0) return undefined;
  if (ascii) {
    let name = "";
    for (let i = 12; i < nul; i++) name += String.fromCharCode(bytes[i]);
    return name;
  }
  try {
    return utf8.decode(bytes.subarray(12, nul));
  } catch {
    return undefined;
  }
}

/** ampm's bare `heart` datagram, possibly followed by NULs, CR or LF. */
export function isBareHeart(bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (n < 5 || n > 16) return false;
  if (
    bytes[0] !== 0x68 || bytes[1] !== 0x65 || bytes[2] !== 0x61 || bytes[3] !== 0x72 ||
    bytes[4] !== 0x74
  ) return false;
  for (let i = 5; i < n; i++) {
    const b = bytes[i];
    if (b !== 0 && b !== 0x0a && b !== 0x0d) return false;
  }
  return true;
}
