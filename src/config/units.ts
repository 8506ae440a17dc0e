/**
 * Units in configs: durations ("250ms", "10s", "5m", "1h", "1d" or a number
 * of milliseconds) and sizes ("512KB", "200MB", "1GB" or a number of bytes,
 * 1024-based: 1KB = 1024 bytes).
 *
 * @module
 */

/** The outcome of parsing a unit: the number, or a sentence saying what is wrong. */
export type UnitResult = { ok: true; value: number } | { ok: false; error: string };

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
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

const AMOUNT = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/;

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
  bareStringOk: boolean,
): UnitResult {
  const expected = `${showValue(value)} is not a ${what} (expected e.g. "${example}")`;
  if (typeof value === "number") {
    if (Number.isFinite(value) && value >= 0) return { ok: true, value: Math.round(value) };
    return { ok: false, error: expected };
  }
  if (typeof value !== "string") return { ok: false, error: expected };
  const match = AMOUNT.exec(value);
  if (!match) return { ok: false, error: expected };
  const [, amount, unit] = match;
  if (unit === "" && !bareStringOk) {
    return {
      ok: false,
      error: `${
        showValue(value)
      } is not a ${what} (add a unit, e.g. "${example}", or write a number)`,
    };
  }
  const factor = unit === "" ? 1 : units[unit.toLowerCase()];
  if (factor === undefined) {
    const alias = aliases[unit.toLowerCase()];
    if (alias === undefined) return { ok: false, error: expected };
    return {
      ok: false,
      error: `${showValue(value)} is not a ${what} (expected e.g. "${amount}${alias}")`,
    };
  }
  return { ok: true, value: Math.round(Number(amount) * factor) };
}

/** Parses a duration to milliseconds: "250ms", "10s", "5m", "1h", "1d", or a number of ms. */
export function parseDuration(value: unknown): UnitResult {
  return parseUnit(value, DURATION_UNITS, DURATION_ALIASES, "duration", "10s", false);
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
  return parseUnit(value, SIZE_UNITS, SIZE_ALIASES, "size", "512MB", true);
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
    const factor = SIZE_UNITS[unit.toLowerCase()];
    if (bytes !== 0 && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}B`;
}
