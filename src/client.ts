/**
 * The API an app imports to talk to sup ("sup/client"), over sup's
 * WebSocket channel. Uses only Web APIs (`WebSocket`, timers), so it runs
 * in Deno, browsers and Node (22+, or 20 with `--experimental-websocket`,
 * or any Node with the `WebSocket` option).
 *
 * ```ts
 * import { connect } from "sup/client";
 * const sup = connect({ job: "kiosk" });
 * sup.startHeartbeat(1000);
 * sup.log("info", "started");
 * const settings = await sup.config();
 * ```
 *
 * Run as a sup job, it finds sup by itself: sup puts `SUP_WS_URL` and
 * `SUP_JOB` in every job's environment, and `connect()` reads them (in Deno
 * when env access is granted, and in Node).
 *
 * While disconnected the client reconnects with a growing delay. Heartbeats
 * and refreshes are dropped (a stale heartbeat means nothing); logs, events,
 * messages and restarts wait in a bounded queue (oldest dropped first).
 *
 * @module
 */

/** Where and how to connect. */
export interface ConnectOptions {
  /**
   * The channel's address. @default `$SUP_WS_URL` (sup gives it to every job), else "ws://127.0.0.1:3001/app"
   */
  url?: string;
  /**
   * The job this app is (sent as `?job=`); unset and no `$SUP_JOB`: sup picks the only job with a heartbeat.
   * @default `$SUP_JOB` (sup gives it to every job)
   */
  job?: string;
  /** Name used by `register()` when none is given. @default the job, else "app" */
  name?: string;
  /** First reconnect delay in ms; doubles up to `maxReconnectMs`. @default 250 */
  reconnectMs?: number;
  /** Largest reconnect delay in ms. @default 5000 */
  maxReconnectMs?: number;
  /** Frames kept while disconnected (logs, events, messages). @default 1000 */
  maxQueued?: number;
  /** How long `config()`, `register()` and `unregister()` wait for an answer, in ms. @default 10000 */
  requestTimeoutMs?: number;
  /**
   * The WebSocket class to use, for runtimes without a global one (Node
   * before 22: pass `WebSocket` from the "ws" package). @default globalThis.WebSocket
   */
  WebSocket?: new (url: string) => WebSocket;
}

/** What sup does when a registered app misses a refresh. */
export type RegisterAction = "restart" | "kill" | "reboot" | "none";

/** A self-registration: refresh it before its timeout, unregister when done. */
export interface AppHandle {
  /** The id sup gave the registration. */
  readonly id: string;
  /** Pushes the deadline back; false when disconnected (dropped). */
  refresh(): boolean;
  /** Removes the registration; resolves to false when sup did not know it. */
  unregister(): Promise<boolean>;
}

/** A message from another app: its data and the job that sent it (null if unknown). */
export type MessageHandler = (data: unknown, from: string | null) => void;

/** A connection to sup. */
export interface SupClient {
  /** True while the WebSocket is open. */
  readonly connected: boolean;
  /** Resolves once connected (at once when already connected). */
  opened(): Promise<void>;
  /** Sends a heartbeat; false when disconnected (heartbeats are never queued). */
  heartbeat(): boolean;
  /** Sends a heartbeat every `intervalMs` (sent once at once); returns the stop function. */
  startHeartbeat(intervalMs: number): () => void;
  /** Logs a line in sup's log (event `app.log`). */
  log(level: string, message: string): void;
  /** Reports an analytics event (event `app.event`). */
  event(category: string, action: string, label?: string, value?: number): void;
  /** Asks sup to restart this app's job. */
  restart(): void;
  /** The `app` section of sup's config. */
  config(): Promise<Record<string, unknown>>;
  /** Registers this app (Digi appmonitor): `timeout` in ms or e.g. "10s"; `action` must be in sup's `apps.allow` ("none" always is). */
  register(
    timeout: number | string,
    action: RegisterAction,
    restartCommand?: string | string[],
    pid?: number,
    name?: string,
  ): Promise<AppHandle>;
  /** Calls `fn` for messages from other apps; returns the unsubscribe function. */
  onMessage(fn: MessageHandler): () => void;
  /** Calls `fn` with each error frame sup sends; returns the unsubscribe function. */
  onError(fn: (error: string) => void): () => void;
  /** Sends `data` to the apps of job `to`, or to every other app with "*". */
  send(to: string, data: unknown): void;
  /** Closes the connection and stops reconnecting. */
  close(): void;
}

interface Pending {
  resolve: (frame: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** Connects to sup's WebSocket channel; reconnects on its own until `close()`. */
export function connect(options: ConnectOptions = {}): SupClient {
  const base = options.url ?? envVar("SUP_WS_URL") ?? "ws://127.0.0.1:3001/app";
  const job = options.job ?? envVar("SUP_JOB");
  const url = job ? withJob(base, job) : base;
  const firstDelay = options.reconnectMs ?? 250;
  const maxDelay = options.maxReconnectMs ?? 5000;
  const maxQueued = options.maxQueued ?? 1000;
  const requestTimeout = options.requestTimeoutMs ?? 10_000;
  const defaultName = options.name ?? job ?? "app";
  const Socket = options.WebSocket ?? globalThis.WebSocket;
  if (typeof Socket !== "function") {
    throw new TypeError(
      "sup/client: this runtime has no WebSocket; pass one as the `WebSocket` option",
    );
  }

  let ws: WebSocket | null = null;
  let closed = false;
  let delay = firstDelay;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let nextRef = 1;
  const queue: string[] = [];
  const pending = new Map<number, Pending>();
  const messageHandlers = new Set<MessageHandler>();
  const errorHandlers = new Set<(error: string) => void>();
  const openWaiters: Array<() => void> = [];
  const heartbeatTimers = new Set<ReturnType<typeof setInterval>>();

  const isOpen = () => ws !== null && ws.readyState === 1;

  function open(): void {
    if (closed) return;
    let socket: WebSocket;
    try {
      socket = new Socket(url);
    } catch {
      scheduleReconnect();
      return;
    }
    ws = socket;
    socket.onopen = () => {
      delay = firstDelay;
      while (queue.length > 0 && isOpen()) socket.send(queue.shift()!);
      for (const waiter of openWaiters.splice(0)) waiter();
    };
    socket.onmessage = (event) => receive(event.data);
    socket.onclose = () => {
      if (ws === socket) ws = null;
      scheduleReconnect();
    };
    socket.onerror = () => {}; // onclose follows and reconnects.
  }

  function scheduleReconnect(): void {
    if (closed || reconnectTimer !== null) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      open();
    }, delay);
    delay = Math.min(delay * 2, maxDelay);
  }

  function receive(data: unknown): void {
    if (typeof data !== "string") return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof parsed !== "object" || parsed === null) return;
    const frame = parsed as Record<string, unknown>;
    const ref = typeof frame.ref === "number" ? pending.get(frame.ref) : undefined;
    if (ref) {
      pending.delete(frame.ref as number);
      clearTimeout(ref.timer);
      if (frame.type === "error") ref.reject(new Error(`sup refused: ${frame.error}`));
      else ref.resolve(frame);
      return;
    }
    if (frame.type === "message") {
      const from = typeof frame.from === "string" ? frame.from : null;
      for (const fn of messageHandlers) safely(() => fn(frame.data, from));
    } else if (frame.type === "error") {
      for (const fn of errorHandlers) safely(() => fn(String(frame.error)));
    }
  }

  /** Sends now, or queues (bounded) while disconnected. */
  function sendOrQueue(frame: Record<string, unknown>): void {
    const text = JSON.stringify(frame);
    if (isOpen()) return ws!.send(text);
    if (closed) return;
    queue.push(text);
    if (queue.length > maxQueued) queue.shift();
  }

  /** Sends only when connected; false otherwise. */
  function sendNow(frame: Record<string, unknown> | string): boolean {
    if (!isOpen()) return false;
    ws!.send(typeof frame === "string" ? frame : JSON.stringify(frame));
    return true;
  }

  function request(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (closed) return Promise.reject(new Error("The sup client is closed"));
    const ref = nextRef++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(ref);
        reject(new Error(`No answer from sup at ${url} within ${requestTimeout}ms`));
      }, requestTimeout);
      pending.set(ref, { resolve, reject, timer });
      sendOrQueue({ ...frame, ref });
    });
  }

  open();

  return {
    get connected() {
      return isOpen();
    },
    opened: () => isOpen() ? Promise.resolve() : new Promise((r) => openWaiters.push(r)),
    heartbeat: () => sendNow(HEART),
    startHeartbeat(intervalMs) {
      sendNow(HEART);
      const timer = setInterval(() => sendNow(HEART), intervalMs);
      heartbeatTimers.add(timer);
      return () => {
        clearInterval(timer);
        heartbeatTimers.delete(timer);
      };
    },
    log: (level, message) => sendOrQueue({ type: "log", level, message }),
    event: (category, action, label, value) =>
      sendOrQueue({ type: "event", category, action, label: label ?? null, value: value ?? null }),
    restart: () => sendOrQueue({ type: "restart" }),
    config: async () => (await request({ type: "configRequest" })).data as Record<string, unknown>,
    async register(timeout, action, restartCommand, pid, name) {
      const answer = await request({
        type: "register",
        name: name ?? defaultName,
        timeout,
        action,
        restartCommand: restartCommand ?? null,
        pid: pid ?? null,
      });
      const id = String(answer.id);
      return {
        id,
        refresh: () => sendNow({ type: "refresh", id }),
        unregister: async () => (await request({ type: "unregister", id })).ok === true,
      };
    },
    onMessage(fn) {
      messageHandlers.add(fn);
      return () => messageHandlers.delete(fn);
    },
    onError(fn) {
      errorHandlers.add(fn);
      return () => errorHandlers.delete(fn);
    },
    send: (to, data) => sendOrQueue({ type: "message", to, data }),
    close() {
      closed = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      for (const timer of heartbeatTimers) clearInterval(timer);
      heartbeatTimers.clear();
      for (const [ref, p] of pending) {
        clearTimeout(p.timer);
        p.reject(new Error("The sup client was closed"));
        pending.delete(ref);
      }
      queue.length = 0;
      ws?.close(1000, "client closed");
      ws = null;
    },
  };
}

const HEART = '{"type":"heart"}';

function withJob(base: string, job: string): string {
  const url = new URL(base);
  url.searchParams.set("job", job);
  return url.toString();
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    console.error("sup/client: a handler threw:", error);
  }
}

/**
 * An environment variable where the runtime has one and lets it be read
 * without asking: Deno (with env permission), Node; undefined in browsers.
 */
function envVar(name: string): string | undefined {
  const g = globalThis as {
    Deno?: {
      env: { get(key: string): string | undefined };
      permissions?: { querySync?(d: { name: "env"; variable: string }): { state: string } };
    };
    process?: { env?: Record<string, string | undefined> };
  };
  try {
    if (g.Deno) {
      const state = g.Deno.permissions?.querySync?.({ name: "env", variable: name }).state;
      return state === "granted" ? g.Deno.env.get(name) || undefined : undefined;
    }
    return g.process?.env?.[name] || undefined;
  } catch {
    return undefined;
  }
}
