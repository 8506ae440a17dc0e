/**
 * The contract between the listener runtime and what runs in it: built-in
 * listeners (httpok, memmon, crashmail, webhook, ...), user functions and
 * plugins all receive a `ListenerContext` and are driven by the runtime
 * (`listener_runtime.ts`), which queues their events, bounds their time and
 * isolates their failures.
 *
 * This module is part of the types users see (`mod.ts` exports
 * `ListenerContext`, `PluginContext`, `ListenerLogger`): it imports types
 * only, from modules that import types only.
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { JobStatus } from "../core/job_status.ts";
import type { EventOf, SupEvent, SupEventType } from "../core/events.ts";
import type { Delivery, Notification } from "../core/notification.ts";

/** A logger under `["sup", "listener", <name>]`. */
export interface ListenerLogger {
  /** Logs at debug level (shown with `sup -v`). */
  debug(message: string): void;
  /** Logs at info level. */
  info(message: string): void;
  /** Logs at warning level. */
  warn(message: string): void;
  /** Logs at error level (mailed when `logging.mail` is set). */
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
  /** Stops a job; resolves when its process group is gone. Throws for an unknown job. */
  stop(job: string, detail?: string): Promise<void>;
  /** Restarts a job (starts it when it is not running). Throws for an unknown job. */
  restart(job: string, detail?: string): void;
  /** Sends a signal to a job's process group. Throws for an unknown job. */
  signal(job: string, signal: Deno.Signal, detail?: string): void;
  /** Every job's status, in config order. */
  status(): JobStatus[];
  /** The jobs the selectors name (`"web"`, `"group:x"`, `"*"`), in config order. */
  jobs(selectors: readonly string[]): string[];
  /**
   * Sends `data` to a job's app over the channels it uses: a `message`
   * frame on its WebSocket connections, and over OSC (to
   * `network.osc.appHost:appPort`) when the app has talked OSC to sup;
   * `{ address: "/x", args: [...] }` goes out over OSC as that message,
   * anything else as `/message` with the JSON text. False when no app of
   * that job is connected.
   */
  send(job: string, data: unknown): boolean;
  /**
   * Sends a notification through every configured notifier (mail,
   * webhooks); resolves with one delivery per notifier (none configured:
   * an empty list). Never rejects.
   */
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

/** A plugin's context: a listener's, and subscriptions to events. */
export interface PluginContext extends ListenerContext {
  /**
   * Calls `fn` for each event of `types` (`"*"`: every event but
   * `job.output`). Calls are queued, bounded by the plugin's `timeout` and
   * isolated like a listener's, one at a time. Returns the unsubscribe
   * function; everything subscribed is unsubscribed when the plugin is
   * disposed.
   */
  on<T extends SupEventType>(
    types: T | "*" | readonly (T | "*")[],
    fn: (event: EventOf<T>) => void | Promise<void>,
  ): () => void;
}

/** A listener as the runtime drives it. */
export interface RunningListener {
  /** For logs and `listener.failed` events. */
  readonly name: string;
  /** Event types it wants; "*" for all but `job.output`. Only these are queued for it. */
  readonly on: readonly SupEventType[] | "*";
  /** Handles one event; the runtime awaits it (bounded by the listener's timeout) before the next. */
  handle(event: SupEvent): void | Promise<void>;
  /** Called with each new config (after a reload) while the listener is kept. */
  apply?(config: ResolvedConfig): void | Promise<void>;
  /** Called once when the listener is removed or sup stops (bounded by its timeout). */
  close?(): void | Promise<void>;
  /** How long one call may take. @default 10 000 ms */
  readonly timeoutMs?: number;
}

/**
 * Creates a built-in listener from its resolved descriptor. Each built-in
 * module (`notify/crashmail.ts`, `probes/httpok.ts`, ...) exports one as
 * `create`; the runtime imports the module only when a config uses it.
 */
export type BuiltinFactory<D> = (descriptor: D, ctx: ListenerContext) => RunningListener;
