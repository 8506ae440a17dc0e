/**
 * What one OSC datagram can make sup do is bounded: a deeply nested array is
 * refused as "too-deep" (it threw RangeError, counted as "internal"), `/event`
 * refuses NaN, and a 5,000-character name is clipped where it is reported.
 */

import { equal, ok } from "node:assert/strict";
import { encodeOscMessage } from "../src/channels/osc_encode.ts";
import { resolvedJob } from "../src/testing/resolved_job.ts";
import { until } from "../src/testing/wait.ts";
import { startLiveSup } from "./support/live_sup.ts";
import { udpClient } from "./support/udp_client.ts";

/** An OSC string: bytes, NUL, padding to 4. */
function oscString(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array((bytes.length + 4) & ~3);
  out.set(bytes);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("/log with a 7,000-deep array is refused as too-deep, not an internal error", async () => {
  await using sup = await startLiveSup({ jobs: () => [resolvedJob("kiosk", ["sleep", "300"])] });
  await using client = await udpClient();
  const deep = concat(
    oscString("/log"),
    oscString(`,s${"[".repeat(7000)}${"]".repeat(7000)}`),
    oscString("info"),
  );
  await client.send(deep, sup.ports.osc);
  await until(() => sup.osc.stats().rejected === 1, "the deep datagram refused", 5000);
  equal(sup.osc.stats().rejectedBy["too-deep"], 1);
  equal(sup.osc.stats().rejectedBy["internal"], undefined);
});

Deno.test("/event refuses a NaN or infinite value; a finite one passes", async () => {
  await using sup = await startLiveSup({ jobs: () => [resolvedJob("kiosk", ["sleep", "300"])] });
  await using client = await udpClient();
  const nan = concat(
    oscString("/event"),
    oscString(",ssd"),
    oscString("a"),
    oscString("b"),
    new Uint8Array([0x7f, 0xf8, 0, 0, 0, 0, 0, 0]),
  );
  await client.send(nan, sup.ports.osc);
  await client.send(encodeOscMessage("/event", ["a", "b", 3]), sup.ports.osc);
  await sup.log.waitFor((e) => e.type === "app.event", "the finite event");
  equal(sup.osc.stats().rejectedBy["bad-arguments"], 1);
  const values = sup.log.events.filter((e) => e.type === "app.event").map((e) => e.value);
  equal(JSON.stringify(values), "[3]");
});

Deno.test("a 5,000-character app name is clipped in the refusal sup reports", async () => {
  await using sup = await startLiveSup({ jobs: () => [resolvedJob("kiosk", ["sleep", "300"])] });
  await using client = await udpClient();
  await client.send(encodeOscMessage("/register", ["n".repeat(5000), 1000, "none"]), sup.ports.osc);
  const error = await client.next("/error");
  ok(String(error.args[1]).length < 300, `answer of ${String(error.args[1]).length} characters`);
  const rejected = await sup.log.waitFor((e) => e.type === "channel.rejected", "the report");
  ok(rejected.type === "channel.rejected" && rejected.reason.length < 500, "reported clipped");
});
