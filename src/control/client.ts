/**
 * The CLI's client of a running sup's operator API: `fetch` through the
 * control socket (`Deno.createHttpClient` with a unix transport), or over
 * TCP (`--url`) with the operator token. A connection that fails is
 * explained from what is at the socket's path (no sup, a stale socket,
 * another user's socket); an error answer becomes a `ControlError` with
 * the server's message.
 *
 * Light on purpose: `sup status` loads this, not the supervisor.
 *
 * @module
 */

import type { ControlErrorBody } from "../core/control_api.ts";
import { probeSocket, type SocketProbe } from "./socket_probe.ts";

/** A control request that failed: no sup, a refused request, an error answer. */
export class ControlError extends Error {
  /** Always "ControlError". */
  override name = "ControlError";
  /**
   * @param status the HTTP status of an error answer, null when there was none
   * @param problems every problem the answer listed (unknown jobs, config errors)
   */
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly problems: string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Where a client connects. */
export type ControlTarget =
  | { socket: string }
  | { url: string; token: string | null };

/** A connection to one sup's operator API. */
export class ControlClient implements Disposable {
  readonly target: ControlTarget;
  #client: Deno.HttpClient | null;
  #base: string;
  #headers: Record<string, string>;

  /** A client of the sup at `target` (nothing is sent until a request). */
  constructor(target: ControlTarget) {
    this.target = target;
    if ("socket" in target) {
      this.#client = Deno.createHttpClient({ proxy: { transport: "unix", path: target.socket } });
      this.#base = "http://localhost";
      this.#headers = {};
    } else {
      this.#client = null;
      this.#base = target.url.replace(/\/+$/, "");
      this.#headers = target.token ? { authorization: `Bearer ${target.token}` } : {};
    }
  }

  /** Where it connects, for messages: `socket "/run/sup/kiosk.sock"` or the URL. */
  get where(): string {
    return "socket" in this.target ? `socket "${this.target.socket}"` : this.target.url;
  }

  /** Sends a request; throws `ControlError` explaining why when sup cannot be reached. */
  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = { ...this.#headers, ...(init.headers as Record<string, string> ?? {}) };
    try {
      return await fetch(`${this.#base}${path}`, {
        ...init,
        headers,
        ...(this.#client ? { client: this.#client } : {}),
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      if ("socket" in this.target) {
        throw new ControlError(
          probeMessage(await probeSocket(this.target.socket, { info: false })),
          null,
          [],
          {
            cause: error,
          },
        );
      }
      const why = error instanceof Error ? (error.cause as Error)?.message ?? error.message : error;
      throw new ControlError(`Cannot reach sup at ${this.target.url}: ${why}`, null, [], {
        cause: error,
      });
    }
  }

  /** Sends a JSON request and reads the JSON answer; an error answer throws `ControlError`. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(path, {
      method,
      ...(body === undefined ? {} : {
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      }),
    });
    const text = await response.text();
    let data: unknown = null;
    try {
      data = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: reported below
    }
    if (response.ok && data !== null) return data as T;
    const answer = data as Partial<ControlErrorBody> | null;
    if (response.status === 401 && !("socket" in this.target)) {
      throw new ControlError(
        `sup at ${this.target.url} refused the request (401): give the operator token with ` +
          `SUP_TOKEN=<token> or --token-file <file>${answer?.error ? ` (${answer.error})` : ""}`,
        401,
      );
    }
    const message = answer?.error ??
      `sup answered ${method} ${path} with ${response.status} ${response.statusText}: ${
        text.slice(0, 200)
      }`;
    throw new ControlError(message, response.status, answer?.problems ?? []);
  }

  /** Closes the connection pool. */
  close(): void {
    this.#client?.close();
    this.#client = null;
  }

  /** Same as `close()`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** A sentence explaining what `probe` found, for a person. */
export function probeMessage(probe: SocketProbe): string {
  switch (probe.kind) {
    case "live":
      return `A sup answers on the socket "${probe.path}"`;
    case "missing":
      return `No sup is running there: the socket "${probe.path}" does not exist`;
    case "notSocket":
      return `"${probe.path}" is not a socket`;
    case "stale":
      return `The socket "${probe.path}" is stale: a sup that died left it, and nothing answers ` +
        `on it. Start sup again (it removes the file), or delete it`;
    case "denied": {
      const me = `you are ${userName(Deno.uid())}`;
      if (probe.owner === null) {
        return `Cannot look at "${probe.path}": its folder is closed to you (${me}). The sup ` +
          `there runs as another user: run the command as that user (e.g. with sudo)`;
      }
      const owner = userName(probe.owner);
      const mode = probe.mode === null ? "" : ` and its mode 0o${probe.mode.toString(8)}`;
      return `The socket "${probe.path}" belongs to ${owner}${mode} does not let you in ` +
        `(${me}): run the command as that user (e.g. sudo -u ${
          userName(probe.owner, false)
        } sup ...), or widen network.socket (mode 0o660 and a group you are in)`;
    }
  }
}

/** `user "name" (uid N)`, or just the name. */
function userName(uid: number | null, full = true): string {
  let name: string | null = null;
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const [user, , id] = line.split(":");
      if (Number(id) === uid && user) {
        name = user;
        break;
      }
    }
  } catch {
    // no /etc/passwd
  }
  if (!full) return name ?? `#${uid}`;
  return name === null ? `uid ${uid}` : `user "${name}" (uid ${uid})`;
}
