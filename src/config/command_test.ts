import { deepStrictEqual } from "node:assert/strict";
import { splitCommand } from "./command.ts";

const cases: [string, string[] | string][] = [
  ["node server.js --port 8080", ["node", "server.js", "--port", "8080"]],
  ["  spaced   out\targs  ", ["spaced", "out", "args"]],
  ['echo "hello world"', ["echo", "hello world"]],
  ['echo "say \\"hi\\"" done', ["echo", 'say "hi"', "done"]],
  ['echo "a\\\\b"', ["echo", "a\\b"]],
  ['echo pre"mid dle"post', ["echo", "premid dlepost"]],
  ['echo ""', ["echo", ""]],
  ["echo $HOME *.txt 'single quotes'", ["echo", "$HOME", "*.txt", "'single", "quotes'"]],
  ["echo back\\slash", ["echo", "back\\slash"]],
  ["", []],
  ['echo "unclosed', '"echo \\"unclosed" has a double quote at position 6 that is never closed'],
];

for (const [input, expected] of cases) {
  Deno.test(`splitCommand(${JSON.stringify(input)})`, () => {
    deepStrictEqual(
      splitCommand(input),
      typeof expected === "string" ? { ok: false, error: expected } : { ok: true, argv: expected },
    );
  });
}
