/**
 * The contract between the listener runtime and what runs in it: built-in
 * listeners (httpok, memmon, crashmail, webhook, ...), user functions and
 * plugins all receive a `ListenerContext` and are driven by the runtime
 * (`listener_runtime.ts`), which queues their events, bounds their time and
 * isolates their failures.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { JobStatus } from "../core/api.ts";
import type { SupEvent, SupEventType } from "../core/events.ts";
import type { Delivery, Notification } from "../core/notifier_hub.ts";

/** A logger under `["sup", "listener", <name>]`. */
export interface ListenerLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * What a listener may do. Every action carries the listener's name as its
 * reason (`{ source: "listener", by: name, detail }`), so it is logged,
 * counted and shown like any other.
 */
export interface ListenerContext {
  /** The listener's name (`"httpok"`, `"plugin:kiosk"`, a user function's name). */
  readonly name: string;
  /** Starts a job. Throws for an unknown job. */
  start(job: string, detail?: string): void;
  /** Stops a job; resolves when its process group is gone. */
  stop(job: string, detail?: string): Promise<void>;
  /** Restarts a job. */
  restart(job: string, detail?: string): void;
  /** Sends a signal to a job's process group. */
  signal(job: string, signal: Deno.Signal, detail?: string): void;
  /** Every job's status, in config order. */
  status(): JobStatus[];
  /** The jobs the selectors name (`"web"`, `"group:x"`, `"*"`), in config order. */
  jobs(selectors: readonly string[]): string[];
  /** Sends `data` to a job's app over the channels it uses; false when no app of that job is connected. */
  send(job: string, data: unknown): boolean;
  /** Sends a notification through every configured notifier (mail, webhooks). */
  notify(
    subject: string,
    body: string,
    extra?: Omit<Notification, "subject" | "body">,
  ): Promise<Delivery[]>;
  /** A logger named after the listener. */
  readonly log: ListenerLogger;
  /** The running config. */
  config(): ResolvedConfig;
}

/** A listener as the runtime drives it. */
export interface RunningListener {
  /** For logs and `listener.failed` events. */
  readonly name: string;
  /** Event types it wants; "*" for all. Only these are queued for it. */
  readonly on: readonly SupEventType[] | "*";
  /** Handles one event; the runtime awaits it (bounded by the listener's timeout) before the next. */
  handle(event: SupEvent): void | Promise<void>;
  /** Called with each new config (after a reload). */
  apply?(config: ResolvedConfig): void | Promise<void>;
  /** Called once when the listener is removed or sup stops. */
  close?(): void | Promise<void>;
}

/**
 * Creates a built-in listener from its resolved descriptor. Each built-in
 * module (`notify/crashmail.ts`, `probes/httpok.ts`, ...) exports one as
 * `create`; the runtime imports the module only when a config uses it.
 */
export type BuiltinFactory<D> = (descriptor: D, ctx: ListenerContext) => RunningListener;
