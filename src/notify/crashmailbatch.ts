/**
 * `crashmailbatch` (superlance's): every crash of the selected jobs within
 * `interval` of the first goes out in one mail. The batch mail lists each
 * crash with its report; a batch keeps at most `MAX_ITEMS` crashes in full
 * (the rest are counted) and at most `MAX_PICTURES` screenshots. What is
 * collected when the listener closes (reload, shutdown) is sent at once.
 * `fatalmailbatch` uses the same batch for jobs that went `fatal`.
 *
 * @module
 */

import type { ResolvedMailListener } from "../config/listener_crash_types.ts";
import type { Attachment } from "../core/notifier_hub.ts";
import type { BuiltinFactory, ListenerContext, RunningListener } from "./listener.ts";
import { crashReport, isUnexpectedExit, mailOut, screenshotOf, watches } from "./crashmail.ts";
import { safeHostname } from "./mail_template.ts";

/** Items kept in full in one batch. */
export const MAX_ITEMS = 100;
/** Screenshots attached to one batch. */
export const MAX_PICTURES = 5;

/** Collects texts for `intervalMs` after the first, then hands them over in one piece. */
export class Batch {
  #items: string[] = [];
  #pictures: Promise<Attachment | null>[] = [];
  #extra = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly intervalMs: number,
    readonly send: (items: string[], extra: number, pictures: Attachment[]) => Promise<void>,
  ) {}

  /** Adds one item (and its screenshot, if any); the first starts the window. */
  add(item: string, picture?: Promise<Attachment | null>): void {
    if (this.#items.length < MAX_ITEMS) this.#items.push(item);
    else this.#extra++;
    if (picture && this.#pictures.length < MAX_PICTURES) this.#pictures.push(picture);
    this.#timer ??= setTimeout(() => void this.flush(), this.intervalMs);
  }

  /** Sends what is collected now. */
  async flush(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#items.length === 0) return;
    const items = this.#items;
    const extra = this.#extra;
    const pending = this.#pictures;
    this.#items = [];
    this.#extra = 0;
    this.#pictures = [];
    const pictures = (await Promise.all(pending)).filter((p): p is Attachment => p !== null);
    await this.send(items, extra, pictures);
  }
}

/** A listener that batches one kind of fact into mails. */
export function batchListener(
  settings: ResolvedMailListener,
  ctx: ListenerContext,
  on: "job.exited" | "job.fatal",
  describe: (count: number) => string,
): RunningListener {
  const batch = new Batch(settings.intervalMs, (items, extra, pictures) => {
    const count = items.length + extra;
    const subject = settings.subject.replaceAll("{count}", String(count));
    const more = extra > 0 ? [`... and ${extra} more not listed.`] : [];
    const body = [
      `${describe(count)} on ${safeHostname()} within ${Math.round(settings.intervalMs / 1000)}s:`,
      "",
      items.join("\n\n---\n\n"),
      ...more,
      "",
      `Config: ${ctx.config().source}`,
    ].join("\n");
    return mailOut(ctx, settings, {
      subject,
      body,
      attachments: pictures.length ? pictures : undefined,
    });
  });
  return {
    name: ctx.name,
    on: [on],
    handle(event) {
      if (event.type === "job.exited") {
        if (!watches(ctx, settings, event.job) || !isUnexpectedExit(event, ctx.config())) return;
        const picture = ctx.config().logging.screenshots ? screenshotOf(ctx, event) : undefined;
        batch.add(crashReport(event), picture);
      } else if (event.type === "job.fatal") {
        if (!watches(ctx, settings, event.job)) return;
        batch.add(`Job "${event.job}" is fatal: ${event.message}`);
      }
    },
    close: () => batch.flush(),
  };
}

/** Creates a crashmailbatch listener. */
export const create: BuiltinFactory<ResolvedMailListener> = (settings, ctx) =>
  batchListener(settings, ctx, "job.exited", (n) => n === 1 ? "1 crash" : `${n} crashes`);
