/**
 * A `ListenerContext` for unit tests of listeners (built-ins, plugins): the
 * real context (`notify/listener_context.ts`) over a `RecordingApi`, with
 * notifications, sends to apps and log lines recorded instead of delivered.
 *
 * ```ts
 * const t = createTestContext({ jobs: [resolvedJob("web", ["x"])] });
 * const listener = create(options, t.ctx);
 * await listener.handle(event);
 * assertEquals(t.api.actions[0].method, "restart");
 * assertEquals(t.notifications[0].subject, "...");
 * ```
 *
 * @module
 */

import type { ResolvedConfig, ResolvedJob } from "../config/resolved.ts";
import type { Clock } from "../core/clock.ts";
import type { Delivery, Notification } from "../core/notification.ts";
import type { ListenerContext, ListenerLogger } from "../notify/listener.ts";
import { createListenerContext } from "../notify/listener_context.ts";
import { RecordingApi } from "./recording_api.ts";
import { resolvedConfig } from "./resolved_job.ts";

/** What a test sets up. */
export interface TestContextOptions {
  /** The listener's name. @default "test" */
  name?: string;
  /** The config `ctx.config()` returns. @default a config holding `jobs` */
  config?: ResolvedConfig;
  /** The jobs of the default config. @default none */
  jobs?: ResolvedJob[];
  /** Stamps the events the recording API emits. @default the real clock */
  clock?: Pick<Clock, "now">;
  /** What a notification comes to. @default one delivery by notifier "test" that succeeded */
  deliver?: (message: Notification) => Delivery[] | Promise<Delivery[]>;
  /** Whether `send` reaches `job`'s app. @default true */
  connected?: (job: string) => boolean;
}

/** One line the listener logged. */
export interface LoggedLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
}

/** A context and what it recorded. */
export interface TestContext {
  /** Give this to the listener. */
  ctx: ListenerContext;
  /** Records the actions (`api.actions`, reasons included); its bus and run tracker are real. */
  api: RecordingApi;
  /** What `ctx.notify` was asked to send, in order. */
  notifications: Notification[];
  /** What `ctx.send` was asked to send, in order. */
  sent: { job: string; data: unknown }[];
  /** What the listener logged, in order. */
  logs: LoggedLine[];
}

/** A context for a listener under test; see the module doc. */
export function createTestContext(options: TestContextOptions = {}): TestContext {
  const config = options.config ?? resolvedConfig(options.jobs ?? []);
  const api = new RecordingApi(config, options.clock);
  const notifications: Notification[] = [];
  const sent: { job: string; data: unknown }[] = [];
  const logs: LoggedLine[] = [];
  const line = (level: LoggedLine["level"]) => (message: string) => logs.push({ level, message });
  const log: ListenerLogger = {
    debug: line("debug"),
    info: line("info"),
    warn: line("warn"),
    error: line("error"),
  };
  const deliver = options.deliver ??
    ((): Delivery[] => [{ notifier: "test", ok: true, detail: "recorded" }]);
  const ctx = createListenerContext(
    {
      api,
      notifiers: {
        notify: async (message) => {
          notifications.push(message);
          return await deliver(message);
        },
      },
      send: (job, data) => {
        sent.push({ job, data });
        return options.connected?.(job) ?? true;
      },
    },
    options.name ?? "test",
    log,
  );
  return { ctx, api, notifications, sent, logs };
}
