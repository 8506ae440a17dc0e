/**
 * Splits a command string into argv the way a shell would split words, but
 * with no expansion at all: runs of spaces/tabs separate words, double quotes
 * group words (`\"` and `\\` inside them are a literal quote and backslash),
 * and nothing else is special (`$HOME`, `*`, `|` and single quotes stay as
 * written). Use `shell: true` in a job for real shell syntax.
 *
 * @module
 */

/** argv, or a sentence saying why the string cannot be split. */
export type SplitResult = { ok: true; argv: string[] } | { ok: false; error: string };

/** Splits `cmd` into words; an unbalanced double quote is an error. */
export function splitCommand(cmd: string): SplitResult {
  const argv: string[] = [];
  let word = "";
  let inWord = false;
  let quoteStart = -1;
  for (let i = 0; i < cmd.length; i++) {
    const ch = cmd[i];
    if (quoteStart >= 0) {
      if (ch === "\\" && (cmd[i + 1] === '"' || cmd[i + 1] === "\\")) {
        word += cmd[++i];
      } else if (ch === '"') {
        quoteStart = -1;
      } else {
        word += ch;
      }
    } else if (ch === '"') {
      quoteStart = i;
      inWord = true;
    } else if (ch === " " || ch === "\t" || ch === "\n" || ch === "\r") {
      if (inWord) argv.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quoteStart >= 0) {
    return {
      ok: false,
      error: `${JSON.stringify(cmd)} has a double quote at position ${
        quoteStart + 1
      } that is never closed`,
    };
  }
  if (inWord) argv.push(word);
  return { ok: true, argv };
}
