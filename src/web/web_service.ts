/**
 * The HTTP API as a service `sup run` composes: `apply(config)` starts it on
 * `network.http` (and moves it when that changes), `close()` stops it.
 *
 * @module
 */

import type { Hono } from "hono";
import { getLogger } from "@logtape/logtape";
import type { AppChannelContext } from "../apps/app_context.ts";
import type { ResolvedConfig, ResolvedListen } from "../config/resolved.ts";
import { createHttpApp } from "./http_app.ts";
import { ListenerSlot } from "../net/listen_slot.ts";

const log = getLogger(["sup", "web"]);

/** What else the API shows. */
export interface WebServiceOptions {
  /** Counters of the app channels, served at `GET /api/channels` (e.g. `{ websocket: () => ws.stats() }`). */
  channels?: Record<string, () => unknown>;
}

/** Serves the HTTP API on `network.http`. */
export class WebService {
  /** The Hono app; later issues (panel, metrics) may add routes before `apply()`. */
  readonly app: Hono;
  #ctx: AppChannelContext;
  #slot: ListenerSlot;

  /** Builds the API over `ctx` (the supervisor, heartbeats, registered apps); `apply()` starts it. */
  constructor(ctx: AppChannelContext, options: WebServiceOptions = {}) {
    this.#ctx = ctx;
    this.app = createHttpApp(ctx, options.channels ?? {});
    this.#slot = new ListenerSlot("HTTP API", this.app.fetch, (error) => log.error(error.message));
  }

  /** Where the API listens, or null when it does not. */
  get addr(): ResolvedListen | null {
    return this.#slot.addr;
  }

  /** Listens on `at`, default `network.http` of the running config; false when the port could not be bound (logged). */
  start(at?: ResolvedListen): Promise<boolean> {
    return this.#slot.follow(at ?? this.#ctx.api.config().network.http);
  }

  /**
   * Follows the config (the `Service` contract of `sup run`): listens on
   * `network.http` from the first call, moves when that address changes.
   * Everything else (jobs, `app`) is read live from the supervisor.
   */
  async apply(config: ResolvedConfig): Promise<void> {
    await this.#slot.follow(config.network.http);
  }

  /** Stops listening. */
  close(): Promise<void> {
    return this.#slot.close();
  }
}
