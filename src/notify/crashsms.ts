/**
 * `crashsms` (superlance's): crashes of the selected jobs within `interval`
 * of the first, sent as short mails to an email-to-SMS gateway. Every
 * message (subject with `mail.subjectPrefix`, a separator and the body) is
 * at most 160 characters: one short line per crash (`web sig SIGSEGV 14:03:05`),
 * as many lines as fit per message, at most `MAX_MESSAGES` messages per
 * batch, the last saying how many more crashes there were.
 *
 * @module
 */

import type { ResolvedMailListener } from "../config/listener_crash_types.ts";
import type { BuiltinFactory } from "./listener.ts";
import { isUnexpectedExit, mailOut, watches } from "./crashmail.ts";
import { fillTemplate, localDateTime } from "./mail_template.ts";
import type { ExitEvent } from "./crashmail.ts";

/** Characters in one SMS. */
export const SMS_LIMIT = 160;
/** Messages one batch may send. */
export const MAX_MESSAGES = 3;

/** One crash in a few characters: `web code 3 14:03:05`. */
export function smsLine(event: ExitEvent): string {
  const how = event.signal ? `sig ${event.signal.replace(/^SIG/, "")}` : `code ${event.code}`;
  return `${event.job} ${how} ${localDateTime(event.at).slice(11)}`;
}

/**
 * Packs `lines` into at most `maxMessages` bodies of at most `budget`
 * characters each (a line too long is cut); the last body ends with
 * "+N more" when lines were left out.
 */
export function packSms(lines: string[], budget: number, maxMessages = MAX_MESSAGES): string[] {
  const text = (parts: string[]) => parts.join("; ");
  const bodies: string[] = [];
  let current: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i].slice(0, budget);
    if (text([...current, line]).length <= budget) {
      current.push(line);
      continue;
    }
    if (bodies.length + 1 >= maxMessages) break;
    bodies.push(text(current));
    current = [line];
  }
  let left = lines.length - i;
  if (left === 0) {
    if (current.length > 0) bodies.push(text(current));
    return bodies;
  }
  // Make room in the last message for " +N more".
  while (current.length > 0 && `${text(current)} +${left} more`.length > budget) {
    current.pop();
    left++;
  }
  bodies.push(current.length > 0 ? `${text(current)} +${left} more` : `+${left} more`);
  return bodies;
}

/** Creates a crashsms listener. */
export const create: BuiltinFactory<ResolvedMailListener> = (settings, ctx) => {
  let lines: string[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = async () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (lines.length === 0) return;
    const config = ctx.config();
    const subject = settings.subject.replaceAll("{count}", String(lines.length));
    const fullSubject = fillTemplate((config.mail?.subjectPrefix ?? "") + subject, {}, config);
    // Subject, one separator, body: at most SMS_LIMIT characters in all.
    const budget = Math.max(20, SMS_LIMIT - fullSubject.length - 1);
    const bodies = packSms(lines, budget);
    lines = [];
    await Promise.all(bodies.map((body) => mailOut(ctx, settings, { subject, body })));
  };
  return {
    name: ctx.name,
    on: ["job.exited"],
    handle(event) {
      if (event.type !== "job.exited") return;
      if (!watches(ctx, settings, event.job) || !isUnexpectedExit(event, ctx.config())) return;
      lines.push(smsLine(event));
      timer ??= setTimeout(() => void flush(), settings.intervalMs);
    },
    close: flush,
  };
};
