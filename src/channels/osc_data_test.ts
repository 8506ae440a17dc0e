import { deepStrictEqual, throws } from "node:assert/strict";
import { oscDataMessage } from "./osc_data.ts";

Deno.test("ctx.send data becomes the OSC message it names, or /message with its JSON", () => {
  deepStrictEqual(oscDataMessage({ address: "/show", args: ["slide", 2, true, null] }), {
    address: "/show",
    args: ["slide", 2, true, null],
  });
  deepStrictEqual(oscDataMessage({ address: "/ping" }), { address: "/ping", args: [] });
  deepStrictEqual(oscDataMessage({ slide: 2 }), { address: "/message", args: ['{"slide":2}'] });
  deepStrictEqual(oscDataMessage("hi"), { address: "/message", args: ['"hi"'] });
});

Deno.test("data OSC cannot carry is a clear TypeError", () => {
  throws(() => oscDataMessage({ address: "show" }), /must be a string starting with "\/"/);
  throws(() => oscDataMessage({ address: "/x", args: [{ a: 1 }] }), /OSC argument 0 must be/);
  throws(() => oscDataMessage({ address: "/x", args: "a" }), /args must be an array/);
  throws(() => oscDataMessage(undefined), /Cannot send undefined/);
});
