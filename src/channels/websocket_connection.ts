/**
 * One app's WebSocket connection as the channel keeps it, and the small
 * helpers around sending to it: sends that never throw and never pile up
 * behind a client that does not read (the socket's queue is bounded, see
 * `websocket_server.ts`), and a per-second budget for errors.
 *
 * @module
 */

import type { AppPeer } from "../apps/app_command.ts";
import type { WireSocket } from "./websocket_server.ts";
import type { FrameRef } from "./websocket_frames.ts";

/** A fixed one-second window allowing `limit` takes. */
export class RateWindow {
  #limit: number;
  #start = 0;
  #count = 0;

  /** Allows `limit` takes per second. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** True when one more is allowed at `now` (ms). */
  take(now: number): boolean {
    if (now - this.#start >= 1000) {
      this.#start = now;
      this.#count = 0;
    }
    return this.#count++ < this.#limit;
  }
}

/** An open app connection. */
export interface Connection {
  /** The socket. */
  socket: WireSocket;
  /** Who sends on it: the WebSocket channel, the client's address, and the job it speaks for (when known). */
  peer: AppPeer;
  /** Error frames sent to this connection. */
  errors: RateWindow;
}

/** `{ref}` when there is one, to spread into an answer. */
export function withRef(ref: FrameRef | null): { ref?: FrameRef } {
  return ref === null ? {} : { ref };
}

/** Sends `value` as JSON (see `sendText`). */
export function send(conn: Connection, value: unknown): void {
  sendText(conn, JSON.stringify(value));
}

/** Sends unless the socket is closing; a client whose queue is full is dropped by the socket. */
export function sendText(conn: Connection, text: string): void {
  conn.socket.sendText(text);
}
