/**
 * The `Host` check of the HTTP API (DNS rebinding): a request naming a host
 * the API does not serve gets 421 with the setting that allows it
 * (`network.http.hosts`). The rule itself is `net/listen_slot_hosts.ts`.
 *
 * @module
 */

import type { MiddlewareHandler } from "hono";
import { hostRefusal, type ServedNames, servesHost } from "../net/listen_slot_hosts.ts";

/** 421 for a request whose `Host` is not served; `served` is read per request (it follows reloads). */
export function hostGuard(served: () => ServedNames): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host");
    if (!servesHost(host, served())) {
      return c.json({ error: hostRefusal(host ?? "", "HTTP API", "network.http.hosts") }, 421);
    }
    await next();
  };
}
