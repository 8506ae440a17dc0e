/**
 * `crashmail` (superlance's): one mail per unexpected exit of a selected
 * job, with the job, the exit code or signal, the pid, the uptime and the
 * last lines of stderr, and a screenshot when `logging.screenshots` is set.
 * An exit is unexpected when sup did not ask for it (`expected` is false)
 * and its code is not one of the job's `noRestartExitCodes`. The mail is
 * queued by the mail notifier; the listener never waits for delivery.
 *
 * @module
 */

import type { ResolvedMailListener } from "../config/listener_crash_types.ts";
import type { ResolvedConfig } from "../config/resolved.ts";
import type { EventOf } from "../core/events.ts";
import type { Attachment, Notification } from "../core/notifier_hub.ts";
import type { BuiltinFactory, ListenerContext } from "./listener.ts";
import { localDateTime, safeHostname } from "./mail_template.ts";
import { crashScreenshot } from "./screenshots.ts";

/** A job's exit as listeners get it. */
export type ExitEvent = EventOf<"job.exited">;

/** True when `event` is a crash: not asked for by sup, code not in the job's `noRestartExitCodes`. */
export function isUnexpectedExit(event: ExitEvent, config: ResolvedConfig): boolean {
  if (event.expected) return false;
  const job = config.jobs.find((j) => j.name === event.job);
  return !(event.code !== null && job?.noRestartExitCodes.includes(event.code));
}

/** "exit code 3" or "signal SIGSEGV". */
export function exitCause(event: ExitEvent): string {
  return event.signal ? `signal ${event.signal}` : `exit code ${event.code}`;
}

/** A duration for people: `850ms`, `42s`, `3m 07s`, `2h 05m`, `3d 04h`. */
export function humanDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1_000);
  const two = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3_600) return `${Math.floor(s / 60)}m ${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3_600)}h ${two(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d ${two(Math.floor(s / 3_600) % 24)}h`;
}

/** The report of one crash: a few lines, then the stderr tail indented. */
export function crashReport(event: ExitEvent): string {
  const lines = [
    `Job "${event.job}" exited unexpectedly (${exitCause(event)}) at ${localDateTime(event.at)}.`,
    `PID ${event.pid}, up for ${humanDuration(event.uptimeMs)}.`,
  ];
  if (event.stderrTail.length > 0) {
    lines.push("", "Last lines of stderr:", ...event.stderrTail.map((l) => `  ${l}`));
  } else lines.push("", "(no stderr output)");
  return lines.join("\n");
}

/** Whether `job` is one of the listener's selected jobs. */
export function watches(
  ctx: ListenerContext,
  settings: ResolvedMailListener,
  job: string,
): boolean {
  return ctx.jobs(settings.jobs).includes(job);
}

/**
 * Sends `message` only through the mail notifier, with the listener's
 * addressing. Listeners do not wait for it while sup runs (the notifier
 * queues); a batch closing awaits it (the runtime bounds that).
 */
export function mailOut(
  ctx: ListenerContext,
  settings: ResolvedMailListener,
  message: Pick<Notification, "subject" | "body" | "job" | "attachments">,
): Promise<void> {
  return ctx.notify(message.subject, message.body, {
    job: message.job,
    attachments: message.attachments,
    only: ["mail"],
    ...(settings.to ? { to: settings.to } : {}),
    ...(settings.from ? { from: settings.from } : {}),
  }).then((deliveries) => {
    if (deliveries.length === 0) {
      ctx.log.warn(`No mail notifier: "${message.subject}" was not sent (add a \`mail\` section)`);
    }
  });
}

/** The screenshot of a crash, when the config takes them. */
export function screenshotOf(
  ctx: ListenerContext,
  event: ExitEvent,
): Promise<Attachment | null> {
  const settings = ctx.config().logging.screenshots;
  return settings ? crashScreenshot(settings, event.job, event.at) : Promise.resolve(null);
}

/** Creates a crashmail listener. */
export const create: BuiltinFactory<ResolvedMailListener> = (settings, ctx) => ({
  name: ctx.name,
  on: ["job.exited"],
  handle(event) {
    if (event.type !== "job.exited") return;
    if (!watches(ctx, settings, event.job) || !isUnexpectedExit(event, ctx.config())) return;
    const subject = `${settings.subjectPrefix}${event.job} crashed (${exitCause(event)})`;
    const body = `${crashReport(event)}\n\nHost: ${safeHostname()}\nConfig: ${ctx.config().source}`;
    const shot = screenshotOf(ctx, event);
    // Without screenshots the mail is queued at once; with them, once the picture is taken.
    if (!ctx.config().logging.screenshots) {
      return void mailOut(ctx, settings, { subject, body, job: event.job });
    }
    void shot.then((picture) =>
      void mailOut(ctx, settings, {
        subject,
        body,
        job: event.job,
        attachments: picture ? [picture] : undefined,
      })
    );
  },
});
