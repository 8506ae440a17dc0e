import { deepStrictEqual } from "node:assert/strict";
import { Mailbox } from "./mailbox.ts";

Deno.test("inputs sent while one is handled wait their turn; sendNext goes before them", () => {
  const handled: string[] = [];
  const box: Mailbox<string> = new Mailbox((input) => {
    handled.push(input);
    if (input === "a") {
      box.send("c");
      box.sendNext("b");
    }
  }, () => {});
  box.send("a");
  box.send("d");
  deepStrictEqual(handled, ["a", "b", "c", "d"]);
});

Deno.test("a handler that throws is reported and the inputs after it are still handled", () => {
  const handled: string[] = [];
  const errors: string[] = [];
  const box: Mailbox<string> = new Mailbox((input) => {
    handled.push(input);
    if (input === "bad") throw new Error("boom");
    if (input === "first") {
      box.send("bad");
      box.send("last");
    }
  }, (input, error) => errors.push(`${input}: ${(error as Error).message}`));
  box.send("first");
  deepStrictEqual(handled, ["first", "bad", "last"]);
  deepStrictEqual(errors, ["bad: boom"]);
  box.send("again");
  deepStrictEqual(handled.at(-1), "again", "not left busy");
});
