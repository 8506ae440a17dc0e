/**
 * The HTTP server, a `Component` of `sup run`: serves a Hono app (the HTTP
 * API of `http_app.ts`) on `network.http`, moves it when that changes, and
 * stops it on `close()`.
 *
 * @module
 */

import type { Hono } from "hono";
import { getLogger } from "@logtape/logtape";
import type { ResolvedConfig, ResolvedListen } from "../config/resolved.ts";
import { ListenSlot } from "../net/listen_slot.ts";

const log = getLogger(["sup", "web"]);

/** Serves the HTTP API on `network.http`. */
export class HttpServer {
  /** The Hono app served; later issues (panel, metrics) may add routes before `apply()`. */
  readonly app: Hono;
  #slot: ListenSlot;

  /** A server for `app`; `apply()` or `start()` binds it. */
  constructor(app: Hono) {
    this.app = app;
    this.#slot = new ListenSlot("HTTP API", this.app.fetch, (error) => log.error(error.message));
  }

  /** Where the API listens, or null when it does not. */
  get addr(): ResolvedListen | null {
    return this.#slot.addr;
  }

  /** Listens on `at`; false when the port could not be bound (logged). */
  start(at: ResolvedListen): Promise<boolean> {
    return this.#slot.follow(at);
  }

  /**
   * Follows the config: listens on `network.http` from the first call, moves
   * when that address changes. Everything else (jobs, `app`) is read live
   * from the supervisor.
   */
  async apply(config: ResolvedConfig): Promise<void> {
    await this.#slot.follow(config.network.http);
  }

  /** Stops listening. */
  close(): Promise<void> {
    return this.#slot.close();
  }
}
