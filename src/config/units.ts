/**
 * Units in configs: durations ("250ms", "10s", "5m", "1h", "1d" or a number
 * of milliseconds, at most `MAX_DURATION_MS`) and sizes ("512KB", "200MB",
 * "1GB" or a number of bytes, 1024-based: 1KB = 1024 bytes).
 *
 * One grammar, the one the `Duration` and `Size` types in `types.ts` spell
 * (`${number}MB`): the unit ends the string in the case those types use
 * ("10s", "200MB"), and what stands before it reads as a number. A string
 * the type checker refuses is refused here too, with the spelling that works.
 *
 * @module
 */

/** The outcome of parsing a unit: the number, or a sentence saying what is wrong. */
export type UnitResult = { ok: true; value: number } | { ok: false; error: string };

/** The longest duration a config may give (366 days): long enough for a yearly schedule. */
export const MAX_DURATION_MS = 366 * 86_400_000;

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SIZE_UNITS: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: 1024 ** 2,
  GB: 1024 ** 3,
  TB: 1024 ** 4,
};

/** Units people write that mean one of ours, for "expected e.g." hints ("5 min" → "5m"). */
const DURATION_ALIASES: Record<string, string> = {
  msec: "ms",
  msecs: "ms",
  millis: "ms",
  millisecond: "ms",
  milliseconds: "ms",
  sec: "s",
  secs: "s",
  second: "s",
  seconds: "s",
  min: "m",
  mins: "m",
  minute: "m",
  minutes: "m",
  hr: "h",
  hrs: "h",
  hour: "h",
  hours: "h",
  day: "d",
  days: "d",
};

const SIZE_ALIASES: Record<string, string> = {
  byte: "B",
  bytes: "B",
  k: "KB",
  kib: "KB",
  m: "MB",
  mib: "MB",
  g: "GB",
  gib: "GB",
  t: "TB",
  tib: "TB",
};

/** An amount and a unit written loosely (spaces, any case, long names), to say what to write. */
const LOOSE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/;

/** Shows a value the way it was written in the config: strings quoted, others as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? text.slice(0, 57) + "..." : text;
  } catch {
    return String(value);
  }
}

function parseUnit(
  value: unknown,
  units: Record<string, number>,
  aliases: Record<string, string>,
  what: string,
  example: string,
): UnitResult {
  const expected = `${showValue(value)} is not a ${what} (expected e.g. "${example}")`;
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return { ok: true, value: Math.round(value) };
    return { ok: false, error: expected };
  }
  if (typeof value !== "string") return { ok: false, error: expected };
  // As TypeScript reads `${number}MB`: the unit ends the string, exactly as
  // spelled; what stands before it is any text that reads as a finite number.
  const unit = Object.keys(units).sort((x, y) => y.length - x.length)
    .find((u) => value.endsWith(u));
  if (unit !== undefined) {
    const amount = value.slice(0, -unit.length);
    const n = Number(amount);
    if (amount.trim() !== "" && Number.isFinite(n) && n >= 0) {
      return { ok: true, value: Math.round(n * units[unit]) };
    }
  }
  return { ok: false, error: hint(value, units, aliases, what, example) ?? expected };
}

/** For a value written loosely ("200mb", "5 min", "4096"): the spelling that works. */
function hint(
  value: string,
  units: Record<string, number>,
  aliases: Record<string, string>,
  what: string,
  example: string,
): string | null {
  const match = LOOSE.exec(value);
  if (!match) return null;
  const [, amount, unit] = match;
  if (unit === "") {
    const unitOf = example.replace(/[\d.]+/, "");
    return `${
      showValue(value)
    } is not a ${what} (add a unit, e.g. "${amount}${unitOf}", or write a number)`;
  }
  const spelled = Object.keys(units).find((u) => u.toLowerCase() === unit.toLowerCase()) ??
    aliases[unit.toLowerCase()];
  if (spelled === undefined) return null;
  return `${showValue(value)} is not a ${what} (expected e.g. "${amount}${spelled}")`;
}

/** Parses a duration to milliseconds: "250ms", "10s", "5m", "1h", "1d", or a number of ms. */
export function parseDuration(value: unknown): UnitResult {
  const parsed = parseUnit(value, DURATION_UNITS, DURATION_ALIASES, "duration", "10s");
  if (parsed.ok && parsed.value > MAX_DURATION_MS) {
    return {
      ok: false,
      error: `${showValue(value)} is longer than the longest duration sup accepts (${
        formatDuration(MAX_DURATION_MS)
      })`,
    };
  }
  return parsed;
}

/** Parses a size to bytes (1024-based): "512KB", "200MB", "1GB", "100B", or a number of bytes. */
export function parseSize(value: unknown): UnitResult {
  if (
    typeof value === "number" && value > 0 && Number.isFinite(value) && !Number.isInteger(value)
  ) {
    return {
      ok: false,
      error:
        `${value} is not a size (a number counts bytes; expected a whole number, or e.g. "${value}GB")`,
    };
  }
  return parseUnit(value, SIZE_UNITS, SIZE_ALIASES, "size", "512MB");
}

/** Writes milliseconds back as the shortest exact duration string ("1500ms", "10s", "2h"). */
export function formatDuration(ms: number): string {
  for (const unit of ["d", "h", "m", "s"]) {
    const factor = DURATION_UNITS[unit];
    if (ms !== 0 && ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}

/** Writes bytes back as the shortest exact size string ("512KB", "200MB", "100B"). */
export function formatSize(bytes: number): string {
  for (const unit of ["TB", "GB", "MB", "KB"]) {
    const factor = SIZE_UNITS[unit];
    if (bytes !== 0 && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
