/**
 * `handleAppCommand`: what sup does with each app command, whatever channel
 * brought it. The OSC, WebSocket and HTTP channels decode their input into
 * an `AppCommand`, call the one handler built here, and encode its
 * `AppReply`. Jobs are resolved by one rule, actions go through the one
 * supervisor path with reason source "app", and facts become events.
 *
 * The heartbeat path allocates nothing: a job lookup, the watchdog's field
 * write, and a shared "ok" reply.
 *
 * @module
 */

import type { SupervisorApi } from "../core/api.ts";
import type {
  AppCommand,
  AppPeer,
  AppRefusalCode,
  AppReply,
  HandleAppCommand,
} from "./app_command.ts";
import { AppLimitError, AppNotAllowedError, type AppRegistryApi } from "./registry_api.ts";
import { type SenderUid, unknownSender } from "./sender.ts";
import { createJobResolver } from "./resolve_job.ts";

/** What the handler is built from. */
export interface AppCommandHandlerParts {
  /** Actions, config and the event bus. */
  api: SupervisorApi;
  /** Records job heartbeats (the heartbeat watchdog); false when the job has no running process. */
  heartbeats: { beat(job: string): boolean };
  /** Self-registered apps. */
  apps: AppRegistryApi;
  /**
   * Which local user sent a command (registrations); `sup run` gives
   * `socketOwnerUid` (the owner of the client's socket in /proc/net).
   * @default no user can be told: registrations may not name a pid to kill
   */
  senderUid?: SenderUid;
}

const OK: AppReply = Object.freeze({ type: "ok" });

/** A job, none, or why a named one is refused. */
type OptionalJob = { ok: true; job: string | null } | { ok: false; reason: string };
const NO_JOB: OptionalJob = Object.freeze({ ok: true, job: null });

const CHANNEL_TITLES = { osc: "OSC", websocket: "WebSocket", http: "HTTP" } as const;

/** Builds the one app command handler over `parts`. */
export function appCommandHandler(parts: AppCommandHandlerParts): HandleAppCommand {
  const { api, heartbeats, apps } = parts;
  const senderUid = parts.senderUid ?? unknownSender;
  const resolve = createJobResolver(() => api.config());

  /** The job a heartbeat or restart is about, or the refusal. */
  const jobFor = (explicit: string | null, from: AppPeer) => resolve(explicit ?? from.job);

  /** The job a log line or event is about: the named one (must exist), else the sender's, else the implicit one, else none. */
  const optionalJob = (explicit: string | null, from: AppPeer): OptionalJob => {
    if (explicit !== null) return resolve(explicit);
    const r = resolve(from.job);
    return r.ok ? r : NO_JOB;
  };

  const handle = (command: AppCommand, from: AppPeer): AppReply => {
    switch (command.type) {
      case "heartbeat": {
        const r = jobFor(command.job, from);
        if (!r.ok) return refused("unknown-job", r.reason);
        if (heartbeats.beat(r.job)) return OK;
        return refused("not-running", `Job "${r.job}" is not running; heartbeat ignored`);
      }
      case "log": {
        const r = optionalJob(command.job, from);
        if (!r.ok) return refused("unknown-job", r.reason);
        const { level, message } = command;
        api.bus.emit({ type: "app.log", job: r.job, level, message, at: Date.now() });
        return OK;
      }
      case "event": {
        const r = optionalJob(command.job, from);
        if (!r.ok) return refused("unknown-job", r.reason);
        const { category, action, label, value } = command;
        const at = Date.now();
        api.bus.emit({ type: "app.event", job: r.job, category, action, label, value, at });
        return OK;
      }
      case "restart": {
        const r = jobFor(command.job, from);
        if (!r.ok) return refused("unknown-job", r.reason);
        api.restart(r.job, {
          source: "app",
          detail: `asked over ${CHANNEL_TITLES[from.channel]} by ${from.name}`,
        });
        return OK;
      }
      case "configRequest":
        return { type: "config", app: api.config().app };
      case "message": {
        if (from.channel === "http") {
          return refused("unsupported", "Messages to apps are not sent over HTTP");
        }
        if (api.bus.hasListeners("app.message")) {
          api.bus.emit({
            type: "app.message",
            job: from.job,
            channel: from.channel,
            address: command.to,
            args: command.args,
            at: Date.now(),
          });
        }
        return { type: "relay", from: from.job, to: command.to, args: command.args };
      }
      case "register":
        try {
          const sender = { uid: senderUid(from), name: from.name };
          return { type: "registered", app: apps.register(command.registration, sender) };
        } catch (error) {
          if (error instanceof AppNotAllowedError) return refused("not-allowed", error.message);
          if (error instanceof AppLimitError) return refused("too-many", error.message);
          if (error instanceof RangeError) return refused("bad-register", error.message);
          throw error;
        }
      case "refresh":
        return apps.refresh(command.id) ? OK : unknownApp(command.id);
      case "unregister":
        return { type: "unregistered", id: command.id, ok: apps.unregister(command.id) };
      default: {
        const never: never = command;
        return refused("unsupported", `Unknown app command ${JSON.stringify(never)}`);
      }
    }
  };

  return (command, from) => {
    try {
      return handle(command, from);
    } catch (error) {
      // A failure behind one command (a listener, the registry) is that command's answer.
      return refused("failed", error instanceof Error ? error.message : String(error));
    }
  };
}

/** The refusal of an id no registered app has. */
export function unknownApp(id: string): AppReply {
  return refused("unknown-app", `No registered app with id ${JSON.stringify(id.slice(0, 100))}`);
}

function refused(code: AppRefusalCode, error: string): AppReply {
  return { type: "refused", code, error };
}
