import { equal, match } from "node:assert/strict";
import { type ListenError, ListenSlot } from "./listen_slot.ts";

const hello = () => new Response("hello");

Deno.test("a listen slot moving to a taken port reports it and keeps serving on the old one", async () => {
  const errors: ListenError[] = [];
  const slot = new ListenSlot("test API", hello, (error) => errors.push(error));
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const first = (probe.addr as Deno.NetAddr).port;
    probe.close();
    equal(await slot.follow({ host: "127.0.0.1", port: first }), true);
    const taken = (blocker.addr as Deno.NetAddr).port;
    equal(await slot.follow({ host: "127.0.0.1", port: taken }), false);
    equal(errors.length, 1);
    match(
      errors[0].message,
      new RegExp(`^Cannot listen for the test API on 127\\.0\\.0\\.1:${taken}: `),
    );
    equal(slot.addr?.port, first);
    const answer = await fetch(`http://127.0.0.1:${slot.addr!.port}/`);
    equal(await answer.text(), "hello");
    equal(slot.isAt({ host: "127.0.0.1", port: first }), true);
  } finally {
    blocker.close();
    await slot.close();
  }
  equal(slot.addr, null);
});
