/**
 * A local HTTP server (127.0.0.1, a port of its own) that records every
 * request and answers as the test says: stands in for Slack's and
 * Discord's incoming webhooks and GA4's collect endpoint. `await using`
 * shuts it down.
 *
 * @module
 */

/** One request as received. */
export interface RecordedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: Headers;
  body: string;
  /** `performance.now()` when it arrived. */
  at: number;
}

/** What to answer: a status (and body, headers), or a promise for one (a hanging server). */
export type Answer = { status: number; body?: string; headers?: Record<string, string> };

/** A running recorder. */
export interface HttpRecorder extends AsyncDisposable {
  /** e.g. "http://127.0.0.1:41234" */
  url: string;
  requests: RecordedRequest[];
  /** Decides each answer (default: 204). Set it again to change what comes next. */
  answer: (request: RecordedRequest) => Answer | Promise<Answer>;
  /** Bodies of the requests so far, parsed as JSON. */
  json<T = unknown>(): T[];
}

/** Starts a recorder on a free port. */
export function startHttpRecorder(): HttpRecorder {
  const recorder: HttpRecorder = {
    url: "",
    requests: [],
    answer: () => ({ status: 204 }),
    json: <T>() => recorder.requests.map((r) => JSON.parse(r.body) as T),
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const url = new URL(request.url);
    const recorded: RecordedRequest = {
      method: request.method,
      path: url.pathname + url.search,
      headers: request.headers,
      body: await request.text(),
      at: performance.now(),
    };
    recorder.requests.push(recorded);
    const answer = await recorder.answer(recorded);
    return new Response(answer.status === 204 ? null : answer.body ?? "", {
      status: answer.status,
      headers: answer.headers,
    });
  });
  recorder.url = `http://127.0.0.1:${server.addr.port}`;
  return recorder;
}
