/**
 * Field readers for validation: each reads one field of a config object,
 * records an issue (with its path) when the value is wrong, and returns the
 * value with its default applied. Validation and resolution share them, so
 * what is checked is exactly what is used.
 *
 * @module
 */

import { type IssueList, joinPath } from "./config_error.ts";
import { isPlainObject } from "./modes.ts";
import { didYouMean } from "./suggest.ts";
import { parseDuration, parseSize, showValue } from "./units.ts";

/** Quotes and joins choices: `"a", "b" or "c"`. */
export function listChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => `"${c}"`);
  return quoted.length < 2
    ? quoted.join("")
    : `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

/** Describes a value's kind for "got ..." in messages. */
export function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array ${showValue(value)}`;
  if (isPlainObject(value)) return `an object ${showValue(value)}`;
  if (typeof value === "bigint") return `a bigint ${value}`;
  if (typeof value === "object" && value !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name !== "" ? `a ${name}` : "an object with a prototype";
  }
  return showValue(value);
}

/** Reads the fields of one config object at `path`, collecting issues. */
export class Fields {
  constructor(
    readonly obj: Record<string, unknown>,
    readonly path: string,
    readonly issues: IssueList,
  ) {}

  /** Wraps `value` if it is a plain object; otherwise records `what` is expected and returns null. */
  static of(value: unknown, path: string, issues: IssueList, what = "an object"): Fields | null {
    if (isPlainObject(value)) return new Fields(value, path, issues);
    issues.add(path, `must be ${what}, got ${describe(value)}`);
    return null;
  }

  /** The dotted path of `key`. */
  at(key: string): string {
    return joinPath(this.path, key);
  }

  /** True when `key` is set (not undefined). */
  has(key: string): boolean {
    return this.obj[key] !== undefined;
  }

  /** Records every key not in `allowed`, with a "did you mean". */
  keys(allowed: readonly string[], noun = "key"): void {
    for (const key of Object.keys(this.obj)) {
      if (!allowed.includes(key)) {
        this.issues.add(this.at(key), `unknown ${noun}${didYouMean(key, allowed)}`);
      }
    }
  }

  /** Records a problem with `key`. */
  fail(key: string, message: string): void {
    this.issues.add(this.at(key), message);
  }

  /** A string; `fallback` when unset or wrong. */
  string<T extends string | null>(key: string, fallback: T, nonEmpty = true): string | T {
    const value = this.obj[key];
    if (value === undefined) return fallback;
    if (typeof value !== "string") this.fail(key, `must be a string, got ${describe(value)}`);
    else if (nonEmpty && value.trim() === "") {
      this.fail(key, `must be a non-empty string, got ${showValue(value)}`);
    } else return value;
    return fallback;
  }

  /** true or false. */
  bool(key: string, fallback: boolean): boolean {
    const value = this.obj[key];
    if (value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    this.fail(key, `must be true or false, got ${describe(value)}`);
    return fallback;
  }

  /** A duration in ms ("10s" or a number of ms). `positive` rejects 0. */
  duration<T extends number | null>(key: string, fallback: T, positive = false): number | T {
    const value = this.obj[key];
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (!parsed.ok) this.fail(key, parsed.error);
    else if (positive && parsed.value === 0) this.fail(key, "must be longer than 0");
    else return parsed.value;
    return fallback;
  }

  /** A size in bytes ("200MB" or a number of bytes). */
  size<T extends number | null>(key: string, fallback: T): number | T {
    const value = this.obj[key];
    if (value === undefined) return fallback;
    const parsed = parseSize(value);
    if (parsed.ok) return parsed.value;
    this.fail(key, parsed.error);
    return fallback;
  }

  /** A whole number in [min, max]. */
  whole<T extends number | null>(
    key: string,
    fallback: T,
    min: number,
    max = Infinity,
  ): number | T {
    const value = this.obj[key];
    if (value === undefined) return fallback;
    if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) {
      return value;
    }
    const range = max === Infinity ? `>= ${min}` : `${min}-${max}`;
    this.fail(key, `must be a whole number ${range}, got ${describe(value)}`);
    return fallback;
  }

  /** One of `choices`, with a "did you mean" when close. */
  oneOf<C extends string, T extends C | null>(
    key: string,
    choices: readonly C[],
    fallback: T,
    noun: string,
  ): C | T {
    const value = this.obj[key];
    if (value === undefined) return fallback;
    if (typeof value === "string" && (choices as readonly string[]).includes(value)) {
      return value as C;
    }
    const hint = typeof value === "string" ? didYouMean(value, choices) : "";
    this.fail(
      key,
      `${describe(value)} is not ${noun} (expected ${listChoices(choices)})${hint}`,
    );
    return fallback;
  }

  /** A nested object's fields, or null when unset or not an object. */
  object(key: string, what = "an object"): Fields | null {
    const value = this.obj[key];
    if (value === undefined) return null;
    return Fields.of(value, this.at(key), this.issues, what);
  }

  /** An array of strings (non-empty strings each). */
  strings(key: string): string[] {
    const value = this.obj[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(key, `must be an array of strings, got ${describe(value)}`);
      return [];
    }
    const out: string[] = [];
    value.forEach((item, i) => {
      if (typeof item === "string" && item.trim() !== "") out.push(item);
      else {this.issues.add(
          joinPath(this.at(key), i),
          `must be a non-empty string, got ${describe(item)}`,
        );}
    });
    return out;
  }
}

/**
 * Compile-time check that a key list names every key of `T`: `true` when
 * none is missing, else an object type naming the missing keys (so adding a
 * field to `types.ts` without teaching the validator is a type error).
 */
export type AllKeys<T, K> = [Exclude<keyof T, K>] extends [never] ? true
  : { missing: Exclude<keyof T, K> };
