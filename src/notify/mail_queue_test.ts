import { deepStrictEqual, equal } from "node:assert/strict";
import { FakeClock } from "../testing/fake_clock.ts";
import { DeliveryError, type QueueOutcome, RetryQueue } from "./mail_queue.ts";

/** Lets pending promise callbacks run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

function harness(options: { maxSize?: number; giveUpAfterMs?: number } = {}) {
  const clock = new FakeClock();
  const log: string[] = [];
  let failWith: Error | null = new Error("connect ECONNREFUSED 127.0.0.1:25");
  const attempts: string[] = [];
  const queue = new RetryQueue<string>({
    deliver: (item) => {
      attempts.push(`${item}@${clock.now() - 1_000_000}`);
      return failWith ? Promise.reject(failWith) : Promise.resolve(`250 ok ${item}`);
    },
    maxSize: options.maxSize ?? 10,
    backoffInitialMs: 1_000,
    backoffMaxMs: 4_000,
    giveUpAfterMs: options.giveUpAfterMs ?? 60_000,
    clock,
    hooks: {
      sent: (item, n) => log.push(`sent ${item} after ${n}`),
      failed: (item, error, retry) =>
        log.push(`failed ${item} ${retry ? "retry" : "final"}: ${error}`),
      dropped: (item, n) => log.push(`dropped ${item} (${n})`),
    },
  });
  return {
    clock,
    log,
    attempts,
    queue,
    recover: () => failWith = null,
    fail: (e: Error) => failWith = e,
  };
}

Deno.test("a refusing server: retried with doubling backoff up to the max, then delivered in order", async () => {
  const h = harness();
  const outcomes: QueueOutcome[] = [];
  h.queue.push("a").then((o) => outcomes.push(o));
  h.queue.push("b").then((o) => outcomes.push(o));
  await settle();
  for (const step of [1_000, 2_000, 4_000, 4_000]) {
    h.clock.advance(step);
    await settle();
  }
  deepStrictEqual(h.attempts, ["a@0", "a@1000", "a@3000", "a@7000", "a@11000"]);
  h.recover();
  h.clock.advance(4_000);
  await settle();
  await settle();
  deepStrictEqual(h.attempts.slice(5), ["a@15000", "b@15000"]);
  deepStrictEqual(outcomes, [
    { ok: true, attempts: 6, detail: "250 ok a" },
    { ok: true, attempts: 1, detail: "250 ok b" },
  ]);
  equal(h.log.filter((l) => l.startsWith("failed a retry")).length, 5);
  equal(h.queue.size, 0);
});

Deno.test("the queue is bounded: the oldest waiting message is dropped and counted", async () => {
  const h = harness({ maxSize: 2 });
  const outcomes: QueueOutcome[] = [];
  for (const item of ["a", "b", "c", "d"]) h.queue.push(item).then((o) => outcomes.push(o));
  await settle();
  // "a" is in flight (its first attempt failed, now in backoff): the oldest is dropped.
  deepStrictEqual(h.log.filter((l) => l.startsWith("dropped")), ["dropped b (1)", "dropped c (2)"]);
  equal(h.queue.size, 2);
  equal(h.queue.dropped, 2);
  h.queue.push("e");
  await settle();
  deepStrictEqual(h.log.at(-1), "dropped a (3)");
  equal(outcomes.filter((o) => !o.ok && o.dropped).length, 3);
});

Deno.test("a permanent refusal is not retried; an old message is given up", async () => {
  const h = harness({ giveUpAfterMs: 2_500 });
  h.fail(new DeliveryError("550 mailbox unavailable", true));
  const first = await h.queue.push("x");
  deepStrictEqual(first, {
    ok: false,
    attempts: 1,
    error: "550 mailbox unavailable",
    dropped: false,
  });
  h.fail(new Error("timeout"));
  const second = h.queue.push("y");
  await settle();
  h.clock.advance(1_000);
  await settle();
  h.clock.advance(2_000);
  await settle();
  deepStrictEqual(await second, {
    ok: false,
    attempts: 3,
    error: "gave up after 3 attempts: timeout",
    dropped: false,
  });
  deepStrictEqual(h.log.at(-1), "failed y final: timeout");
});

Deno.test("close resolves what is queued as not delivered and refuses more", async () => {
  const h = harness();
  const pending = h.queue.push("a");
  await settle();
  h.queue.close();
  equal((await pending).ok, false);
  equal((await h.queue.push("b")).ok, false);
  equal(h.clock.pending, 0);
});
