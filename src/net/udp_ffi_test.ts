import { ok } from "node:assert/strict";
import { createSocket } from "node:dgram";
import { setImmediate } from "node:timers";
import { DATAGRAMS_PER_TURN, openFfiReceiver, SLOTS } from "./udp_ffi.ts";

Deno.test("under a burst, the receiver hands over at most a few dozen datagrams per event-loop turn", async () => {
  let received = 0;
  const receiver = openFfiReceiver({
    host: "127.0.0.1",
    port: 0,
    onDatagram: () => void received++,
    onError: () => {},
  });
  if (receiver === null) {
    console.log("udp_ffi_test: FFI receiver not available here; nothing to check");
    return;
  }
  const sender = createSocket("udp4");
  const total = 20_000;
  try {
    // Fill the socket's buffer first, so every recvmmsg returns a full batch.
    const payload = new Uint8Array(8);
    for (let i = 0; i < total; i++) sender.send(payload, receiver.port, "127.0.0.1");
    let most = 0;
    let seen = received;
    const end = Date.now() + 10_000;
    while (received < total && Date.now() < end) {
      await new Promise((r) => setImmediate(r));
      most = Math.max(most, received - seen);
      seen = received;
    }
    ok(received > SLOTS * 4, `received ${received}`);
    // One batch's first slice (poll phase) and one continuation (check phase) at most.
    ok(
      most <= 2 * DATAGRAMS_PER_TURN,
      `${most} datagrams in one turn (bound ${2 * DATAGRAMS_PER_TURN})`,
    );
  } finally {
    sender.close();
    await receiver.close();
  }
});
