/**
 * What sup does with each OSC address from an app: `/heart`, `/log`,
 * `/event`, `/restart`, `/config`, `/register`, `/refresh`, `/unregister`;
 * anything else becomes an `app.message` event. Socket-free: replies go
 * through the `OscPeer` it is given.
 *
 * @module
 */

import { type AppChannelContext, AppNotAllowedError } from "../apps/app_context.ts";
import type { OscArg, OscMessage } from "./osc_codec.ts";
import { encodeOscMessage, type OscOutArg } from "./osc_encode.ts";
import { parseRegistration } from "../apps/registration.ts";

/** Where a datagram came from, and how to answer. */
export interface OscPeer {
  /** e.g. "127.0.0.1:53000", for logs. */
  readonly name: string;
  /** Sends a message back to the sender. */
  reply(bytes: Uint8Array): void;
  /** Sends a message to the apps' OSC port (`network.osc.appHost:appPort`). */
  toApps(bytes: Uint8Array): void;
}

/** What dispatching reports back to the channel for its counters. */
export interface OscSink {
  heartbeat(): void;
  reject(code: string, detail: string): void;
}

const str = (a: OscArg | undefined): a is string => typeof a === "string";
const num = (a: OscArg | undefined): a is number => typeof a === "number";

/** Handles one decoded message. Never throws for bad input (reports it to `sink`). */
export function dispatchOsc(
  ctx: AppChannelContext,
  msg: OscMessage,
  peer: OscPeer,
  sink: OscSink,
): void {
  const args = msg.args;
  const badArgs = (expected: string) =>
    sink.reject("bad-arguments", `${msg.address} from ${peer.name}: expected ${expected}`);
  switch (msg.address) {
    case "/heart": {
      if (args.length > 1 || (args.length === 1 && !str(args[0]))) return badArgs("[job:s]");
      return heart(ctx, (args[0] as string | undefined) ?? null, sink);
    }
    case "/log": {
      if (args.length < 2 || !str(args[0]) || (args[2] !== undefined && !str(args[2]))) {
        return badArgs("<level:s> <message> [job:s]");
      }
      const message = typeof args[1] === "string" ? args[1] : JSON.stringify(plain(args[1]));
      ctx.api.bus.emit({
        type: "app.log",
        job: jobOrNull(ctx, args[2] as string | undefined),
        level: args[0],
        message,
        at: Date.now(),
      });
      return;
    }
    case "/event": {
      const [category, action, ...rest] = args;
      if (!str(category) || !str(action)) {
        return badArgs("<category:s> <action:s> [label:s] [value:n] [job:s]");
      }
      let label: string | null = null;
      let value: number | null = null;
      let job: string | undefined;
      let i = 0;
      if (str(rest[i])) label = rest[i++] as string;
      if (num(rest[i]) || rest[i] === null) value = rest[i++] as number | null;
      if (str(rest[i])) job = rest[i++] as string;
      if (i !== rest.length) return badArgs("<category:s> <action:s> [label:s] [value:n] [job:s]");
      ctx.api.bus.emit({
        type: "app.event",
        job: jobOrNull(ctx, job),
        category,
        action,
        label,
        value,
        at: Date.now(),
      });
      return;
    }
    case "/restart": {
      if (args.length > 1 || (args.length === 1 && !str(args[0]))) return badArgs("[job:s]");
      const r = ctx.resolveJob((args[0] as string | undefined) ?? null);
      if (!r.ok) return sink.reject("unknown-job", `/restart from ${peer.name}: ${r.reason}`);
      ctx.api.restart(r.job, { source: "app", detail: `asked over OSC by ${peer.name}` });
      return;
    }
    case "/config": {
      const app = ctx.api.config().app;
      peer.toApps(encodeOscMessage("/config", [JSON.stringify(app)]));
      return;
    }
    case "/register":
      return register(ctx, args, peer, sink);
    case "/refresh":
    case "/unregister": {
      if (args.length !== 1 || !str(args[0])) return badArgs("<id:s>");
      const known = msg.address === "/refresh"
        ? ctx.apps.refresh(args[0])
        : ctx.apps.unregister(args[0]);
      if (!known) {
        sink.reject(
          "unknown-app",
          `${msg.address} from ${peer.name}: no app with id ${JSON.stringify(args[0])}`,
        );
      }
      return;
    }
    default:
      if (ctx.api.bus.hasListeners("app.message")) {
        ctx.api.bus.emit({
          type: "app.message",
          job: null,
          channel: "osc",
          address: msg.address,
          args: args.map(plain),
          at: Date.now(),
        });
      }
  }
}

/** A heartbeat for `explicit` (or the only heartbeat job). */
export function heart(ctx: AppChannelContext, explicit: string | null, sink: OscSink): void {
  const r = ctx.resolveJob(explicit);
  if (!r.ok) return sink.reject("unknown-job", `/heart: ${r.reason}`);
  if (!ctx.heartbeat(r.job)) {
    return sink.reject("not-running", `/heart: job "${r.job}" has no running process`);
  }
  sink.heartbeat();
}

/** `/register <name> <timeout> <action> [restartCommand:s] [pid:i]` → `/registered <id>` or `/error`. */
function register(ctx: AppChannelContext, args: OscArg[], peer: OscPeer, sink: OscSink): void {
  const [name, timeout, action, ...rest] = args;
  let restartCommand: unknown = null;
  let pid: unknown = null;
  if (str(rest[0])) restartCommand = rest.shift();
  if (rest.length > 0) pid = rest.shift();
  const fail = (error: string, code = "bad-register") => {
    sink.reject(code, `/register from ${peer.name}: ${error}`);
    peer.reply(encodeOscMessage("/error", ["/register", error]));
  };
  if (rest.length > 0) {
    return fail("expected <name:s> <timeoutMs> <action:s> [restartCommand:s] [pid:i]");
  }
  const parsed = parseRegistration({ name, timeout, action, restartCommand, pid });
  if (!parsed.ok) return fail(parsed.error);
  try {
    const app = ctx.apps.register(parsed.value);
    peer.reply(encodeOscMessage("/registered", [app.id] satisfies OscOutArg[]));
  } catch (error) {
    const code = error instanceof AppNotAllowedError ? "not-allowed" : "bad-register";
    fail(error instanceof Error ? error.message : String(error), code);
  }
}

function jobOrNull(ctx: AppChannelContext, explicit: string | undefined): string | null {
  const r = ctx.resolveJob(explicit ?? null);
  return r.ok ? r.job : null;
}

/** An argument as plain JSON data (blobs as byte arrays, Infinity as a string). */
function plain(arg: OscArg): unknown {
  if (arg instanceof Uint8Array) return Array.from(arg);
  if (Array.isArray(arg)) return arg.map(plain);
  if (arg === Infinity) return "Infinity";
  return arg;
}
