/**
 * The app protocol's meaning, apart from its encodings: every request an app
 * sends sup over any channel (OSC over UDP, WebSocket frames, HTTP) is one
 * `AppCommand`; `handleAppCommand` (see `app_command_handler.ts`) answers it
 * with one `AppReply`, which the channel encodes back (datagram, frame, JSON).
 *
 * @module
 */

import type { ResolvedConfig } from "../config/resolved.ts";
import type { AppRegistration } from "./registration.ts";
import type { RegisteredApp } from "./registry_api.ts";

/** The channels apps talk to sup on. */
export type AppChannelName = "osc" | "websocket" | "http";

/** An IP address and port, as a socket saw it. */
export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

/** Who sent a command: its channel and peer. */
export interface AppPeer {
  /** The channel the command came in on. */
  readonly channel: AppChannelName;
  /** The sender as the channel knows it, e.g. "127.0.0.1:53000", for reasons and logs. */
  readonly name: string;
  /**
   * The job this sender speaks for (a WebSocket connection's `?job=`), or
   * null. Commands that name no job are about it.
   */
  readonly job: string | null;
  /** The sender's address (a datagram's source, a connection's remote end), or null when unknown. */
  readonly address: PeerAddress | null;
  /** The address of sup's socket it reached (the server's bound address), or null when unknown. */
  readonly local: PeerAddress | null;
}

/**
 * One request from an app. A `job` of null means "the sender's job"
 * (`AppPeer.job`), else the only job with a heartbeat configured.
 */
export type AppCommand =
  /** "I am alive" (the first one since a spawn marks the job ready). */
  | { type: "heartbeat"; job: string | null }
  /** A line for sup's log (`app.log`). */
  | { type: "log"; job: string | null; level: string; message: string }
  /** An analytics event (`app.event`). */
  | {
    type: "event";
    job: string | null;
    category: string;
    action: string;
    label: string | null;
    value: number | null;
  }
  /** Restart the job (through the supervisor, reason source "app"). */
  | { type: "restart"; job: string | null }
  /** The config's `app` section (ampm's `/config`). */
  | { type: "configRequest" }
  /** A message to other apps: `to` is a job name, "*" or an OSC address (`app.message`). */
  | { type: "message"; to: string; args: unknown[] }
  /** Self-registration (Digi appmonitor), already parsed by `parseRegistration`. */
  | { type: "register"; registration: AppRegistration }
  /** Refresh a registered app's deadline. */
  | { type: "refresh"; id: string }
  /** Remove a registered app. */
  | { type: "unregister"; id: string };

/** Why a well-formed command was refused, as a short code for counters. */
export type AppRefusalCode =
  | "unknown-job"
  | "not-running"
  | "unknown-app"
  | "not-allowed"
  | "too-many"
  | "bad-register"
  | "unsupported"
  | "failed";

/** What sup answers to a command; channels encode it (or send nothing for "ok"). */
export type AppReply =
  /** Done; nothing to send back. */
  | { type: "ok" }
  /** The config's `app` section, for "configRequest". */
  | { type: "config"; app: ResolvedConfig["app"] }
  /** The new registration, for "register". */
  | { type: "registered"; app: RegisteredApp }
  /** For "unregister": `ok` is false when no app had that id. */
  | { type: "unregistered"; id: string; ok: boolean }
  /** For "message": channels that hold app connections (WebSocket) pass it on to them. */
  | { type: "relay"; from: string | null; to: string; args: unknown[] }
  /** Refused; `error` is a sentence for the app and the log. */
  | { type: "refused"; code: AppRefusalCode; error: string };

/** Handles one command from `from`. Never throws: a failure is a "refused" reply. */
export type HandleAppCommand = (command: AppCommand, from: AppPeer) => AppReply;
