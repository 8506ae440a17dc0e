/**
 * The thin adapter over `Deno.serve`: start a fetch handler on an address,
 * learn the bound port (port 0 picks a free one), and stop it.
 *
 * @module
 */

import type { ResolvedListen } from "../config/resolved.ts";

/** A running HTTP server bound to an address. */
export interface BoundServer {
  /** The address actually bound (the real port when 0 was asked). */
  readonly addr: ResolvedListen;
  /** Stops accepting, ends open connections, and resolves when the server is gone. */
  close(): Promise<void>;
}

/** Thrown when an address cannot be bound. */
export class ListenError extends Error {
  /** Always "ListenError". */
  override name = "ListenError";
  /** Names `what` (e.g. "HTTP API") could not bind `listen`, and why (`cause`). */
  constructor(what: string, listen: ResolvedListen, cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`Cannot listen for the ${what} on ${listen.host}:${listen.port}: ${detail}`, { cause });
  }
}

/** What a handler served by `listen` gets: Deno's info plus the address the server is bound to. */
export type ServeInfo = Deno.ServeHandlerInfo<Deno.NetAddr> & { localAddr?: Deno.NetAddr };

/**
 * Serves `fetch` on `listen`. Throws `ListenError` when the port is taken
 * or the address is not local to this machine.
 */
export function listen(
  what: string,
  at: ResolvedListen,
  fetch: (request: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>,
): BoundServer {
  let server: Deno.HttpServer<Deno.NetAddr>;
  const abort = new AbortController();
  try {
    server = Deno.serve({
      hostname: at.host,
      port: at.port,
      signal: abort.signal,
      onListen: () => {},
      onError: (error) => {
        console.error(`The ${what} failed to answer a request:`, error);
        return new Response(JSON.stringify({ error: "Internal error" }), {
          status: 500,
          headers: { "content-type": "application/json" },
        });
      },
    }, (request, info) => {
      // The server's own address, for telling which local user a client is (socket_owner.ts).
      (info as ServeInfo).localAddr = server.addr;
      return fetch(request, info);
    });
  } catch (error) {
    throw new ListenError(what, at, error);
  }
  const addr = { host: server.addr.hostname, port: server.addr.port };
  let closing: Promise<void> | null = null;
  return {
    addr,
    close() {
      closing ??= (async () => {
        abort.abort();
        await server.finished.catch(() => {});
      })();
      return closing;
    },
  };
}

/** Binds a server on an address (throws `ListenError`). */
export interface Binder {
  /** Starts the server on `at`. */
  bind(at: ResolvedListen): BoundServer;
}

/**
 * One bound HTTP server that follows the config: `follow(at)` starts it, or moves it
 * when the address changed. A failure to bind is reported to `onError` and
 * never thrown, so a taken port cannot stop sup; on a failed move the old
 * address is bound again.
 */
export class ListenSlot {
  #bind: Binder;
  #onError: (error: ListenError) => void;
  #server: BoundServer | null = null;
  #asked: ResolvedListen | null = null;

  /**
   * A slot for `fetch` (an HTTP server) or `binder` (any server, e.g.
   * `listenTcp`), named `what` in errors; binding failures go to `onError`.
   */
  constructor(
    what: string,
    fetch: Parameters<typeof listen>[2] | Binder,
    onError: (error: ListenError) => void,
  ) {
    this.#bind = typeof fetch === "function" ? { bind: (at) => listen(what, at, fetch) } : fetch;
    this.#onError = onError;
  }

  /** The bound address, or null when not listening. */
  get addr(): ResolvedListen | null {
    return this.#server?.addr ?? null;
  }

  /** True when listening on the address `at` asked for. */
  isAt(at: ResolvedListen): boolean {
    const asked = this.#asked;
    return this.#server !== null && asked !== null && asked.host === at.host &&
      asked.port === at.port;
  }

  /** Listens on `at` (no-op when already there). Returns false when binding failed. */
  async follow(at: ResolvedListen): Promise<boolean> {
    if (this.isAt(at)) return true;
    const previous = this.#server ? this.#asked : null;
    await this.close();
    try {
      this.#server = this.#bind.bind(at);
      this.#asked = at;
      return true;
    } catch (error) {
      this.#onError(error as ListenError);
      if (previous) {
        try {
          this.#server = this.#bind.bind(previous);
          this.#asked = previous;
        } catch (again) {
          this.#onError(again as ListenError);
        }
      }
      return false;
    }
  }

  /** Stops listening. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    await server?.close();
  }
}
