/**
 * A raw WebSocket for tests: records every JSON frame received and waits,
 * with a bound, for the next matching one.
 *
 * @module
 */

/** An open test socket; `await using` closes it. */
export interface TestSocket extends AsyncDisposable {
  ws: WebSocket;
  /** Every JSON frame received so far. */
  received: Record<string, unknown>[];
  /** The first frame matching `pred` that was not yet returned by `next`. */
  next(
    pred: (frame: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Sends `frame` and waits for the answer carrying its `ref`. */
  request(frame: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Opens `url`; rejects when it does not open within `timeoutMs`. */
export function openSocket(url: string, timeoutMs = 5000): Promise<TestSocket> {
  const ws = new WebSocket(url);
  const received: Record<string, unknown>[] = [];
  const taken = new Set<Record<string, unknown>>();
  const waiters = new Set<() => void>();
  ws.onmessage = (event) => {
    if (typeof event.data === "string") received.push(JSON.parse(event.data));
    for (const w of waiters) w();
  };
  const closed = new Promise<void>((resolve) => ws.addEventListener("close", () => resolve()));
  function next(pred: (frame: Record<string, unknown>) => boolean, timeout = 5000) {
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = received.find((f) => !taken.has(f) && pred(f));
        if (!found) return false;
        taken.add(found);
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(
            `No matching frame within ${timeout}ms; got ${JSON.stringify(received.slice(-5))}`,
          ),
        );
      }, timeout);
      if (!check()) waiters.add(check);
    });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`WebSocket ${url} did not open within ${timeoutMs}ms`));
    }, timeoutMs);
    ws.onerror = () => {
      clearTimeout(timer);
      reject(new Error(`WebSocket ${url} failed to open`));
    };
    ws.onopen = () => {
      clearTimeout(timer);
      ws.onerror = null;
      resolve({
        ws,
        received,
        next,
        request(frame, timeout) {
          ws.send(JSON.stringify(frame));
          return next((f) => f.ref === frame.ref, timeout);
        },
        async [Symbol.asyncDispose]() {
          if (ws.readyState !== WebSocket.CLOSED) {
            ws.close();
            await closed;
          }
        },
      });
    };
  });
}
