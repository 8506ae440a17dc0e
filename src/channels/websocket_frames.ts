/**
 * The WebSocket encoding of the app protocol: the JSON frames an app sends,
 * parsed from untrusted text into an `AppCommand`. Pure: no I/O, never throws.
 *
 * Every request frame may carry `ref` (a string or number) that sup echoes
 * in its answer, and frames about a job may carry `job` to override the
 * connection's job.
 *
 * @module
 */

import type { AppCommand } from "../apps/app_command.ts";
import { parseRegistration } from "../apps/registration.ts";
import { showValue } from "../config/units.ts";

/** A correlation id echoed in answers. */
export type FrameRef = string | number;

/** Why a frame was refused, as a short code for counters. */
export type FrameErrorCode = "oversized" | "not-json" | "bad-frame";

/**
 * A parsed frame: its command and the `ref` to echo in the answer; or why it
 * was refused (with the `ref`, when readable).
 */
export type FrameResult =
  | { ok: true; command: AppCommand; ref: FrameRef | null }
  | { ok: false; code: FrameErrorCode; error: string; ref: FrameRef | null };

/** Frame types an app may send, for error messages ("heart" is the heartbeat command). */
export const FRAME_TYPES = [
  "heart",
  "log",
  "event",
  "restart",
  "configRequest",
  "message",
  "register",
  "refresh",
  "unregister",
] as const;

/** Default largest frame accepted, in UTF-16 code units (~bytes for ASCII JSON). */
export const MAX_FRAME_CHARS = 64 * 1024;

type Fields = Record<string, unknown>;

/** The bare heartbeat frame's result, shared: the hot path allocates nothing. */
const BARE_HEART: FrameResult = Object.freeze({
  ok: true,
  command: Object.freeze({ type: "heartbeat", job: null }),
  ref: null,
});

/** Parses one text frame. `defaultName` names a registration that has no `name`. */
export function parseFrame(
  text: string,
  maxChars = MAX_FRAME_CHARS,
  defaultName?: string,
): FrameResult {
  if (text.length > maxChars) {
    return {
      ok: false,
      code: "oversized",
      error: `Frame of ${text.length} characters is over the ${maxChars} limit`,
      ref: null,
    };
  }
  // The hot path: a bare heartbeat needs no JSON parser.
  if (text === '{"type":"heart"}') return BARE_HEART;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {
      ok: false,
      code: "not-json",
      error: `Frame is not JSON: ${showValue(clip(text))}`,
      ref: null,
    };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return {
      ok: false,
      code: "bad-frame",
      error: `Frame must be a JSON object, got ${showValue(value)}`,
      ref: null,
    };
  }
  const f = value as Fields;
  const ref = typeof f.ref === "string" || typeof f.ref === "number" ? f.ref : null;
  const fail = (error: string): FrameResult => ({ ok: false, code: "bad-frame", error, ref });
  const done = (command: AppCommand): FrameResult => ({ ok: true, command, ref });
  const job = optionalString(f, "job");
  if (job === undefined) return fail(`job: ${showValue(f.job)} is not a job name`);
  switch (f.type) {
    case "heart":
      return done({ type: "heartbeat", job });
    case "log": {
      if (!isText(f.level, 32)) return fail(`log.level: ${showValue(f.level)} is not a level`);
      if (typeof f.message !== "string") {
        return fail(`log.message: ${showValue(f.message)} is not a string`);
      }
      return done({ type: "log", job, level: f.level.toLowerCase(), message: f.message });
    }
    case "event": {
      if (!isText(f.category, 200)) {
        return fail(`event.category: ${showValue(f.category)} is not a string`);
      }
      if (!isText(f.action, 200)) {
        return fail(`event.action: ${showValue(f.action)} is not a string`);
      }
      const label = optionalString(f, "label");
      if (label === undefined) return fail(`event.label: ${showValue(f.label)} is not a string`);
      const v = f.value ?? null;
      if (v !== null && (typeof v !== "number" || !Number.isFinite(v))) {
        return fail(`event.value: ${showValue(v)} is not a number`);
      }
      return done({ type: "event", job, category: f.category, action: f.action, label, value: v });
    }
    case "restart":
      return done({ type: "restart", job });
    case "configRequest":
      return done({ type: "configRequest" });
    case "message": {
      if (!isText(f.to, 200)) {
        return fail(`message.to: ${showValue(f.to)} is not a job name or "*"`);
      }
      return done({ type: "message", to: f.to, args: [f.data ?? null] });
    }
    case "register": {
      const parsed = parseRegistration(f, defaultName);
      if (!parsed.ok) return fail(`register.${parsed.error}`);
      return done({ type: "register", registration: parsed.value });
    }
    case "refresh":
    case "unregister": {
      if (!isText(f.id, 200)) return fail(`${f.type}.id: ${showValue(f.id)} is not an app id`);
      return done({ type: f.type, id: f.id });
    }
    default:
      return fail(
        `type: ${showValue(f.type)} is not a frame type (expected one of ${
          FRAME_TYPES.join(", ")
        })`,
      );
  }
}

function isText(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= max;
}

/** The string field, null when absent, undefined when present but not a string. */
function optionalString(f: Fields, key: string): string | null | undefined {
  const v = f[key];
  if (v === undefined || v === null) return null;
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 40) + "..." : text;
}
