/**
 * The thin adapter over `Deno.listen` for servers that speak their own
 * protocol on the TCP stream (the app WebSocket channel): bind, hand every
 * accepted connection to `onConn`, stop. A `ListenSlot` binder.
 *
 * @module
 */

import type { ResolvedListen } from "../config/resolved.ts";
import { type BoundServer, ListenError } from "./listen_slot.ts";

/** Listens on `at` and passes each connection to `onConn`; throws `ListenError` when it cannot bind. */
export function listenTcp(
  what: string,
  at: ResolvedListen,
  onConn: (conn: Deno.TcpConn) => void,
): BoundServer {
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: at.host, port: at.port, transport: "tcp" });
  } catch (error) {
    throw new ListenError(what, at, error);
  }
  const addr = listener.addr as Deno.NetAddr;
  const accepting = (async () => {
    try {
      for await (const conn of listener) onConn(conn);
    } catch {
      // Closed.
    }
  })();
  let closing: Promise<void> | null = null;
  return {
    addr: { host: addr.hostname, port: addr.port },
    close() {
      closing ??= (async () => {
        try {
          listener.close();
        } catch {
          // Already closed.
        }
        await accepting;
      })();
      return closing;
    },
  };
}
