/**
 * pmtr's UDP formats, as pmtr's `net.c` writes and reads them (pure).
 *
 * The status report (`report_status`): a first line `report <id>` (the
 * host name, then a space and the interface's address when the report goes
 * out of a named interface), then one line per job that restarts (pmtr
 * leaves one-time jobs out):
 *
 * ```text
 * report kiosk-3
 * web e 3605 4242 /usr/bin/node
 * batch d 0 0 /usr/local/bin/batch
 * ```
 *
 * `<name> <e|d> <seconds since its process started> <pid> <command>`: `e`
 * enabled, `d` disabled; 0 and 0 when the job has no process.
 *
 * Control datagrams (`decode_msg`): words separated by whitespace; `enable`
 * and `disable` set the verb for the job names that follow, so `disable a b
 * enable c` is one datagram. sup also takes `group:<name>` and `*`.
 *
 * @module
 */

/** One job's line of the report. */
export interface ReportLine {
  name: string;
  disabled: boolean;
  /** Whole seconds since the job's process started; 0 without one. */
  elapsedSeconds: number;
  /** 0 without a process. */
  pid: number;
  /** The program (argv[0]). */
  command: string;
}

/** Largest report datagram; a longer report is split, each part with its own `report` line. */
export const MAX_REPORT_BYTES = 60_000;

/** The report as datagram texts (one, unless it is over `maxBytes`). */
export function reportDatagrams(
  id: string,
  lines: readonly ReportLine[],
  maxBytes = MAX_REPORT_BYTES,
): string[] {
  const header = `report ${id}\n`;
  const out: string[] = [];
  let current = header;
  for (const line of lines) {
    const text = `${oneWord(line.name)} ${line.disabled ? "d" : "e"} ${
      Math.max(0, Math.floor(line.elapsedSeconds))
    } ${line.pid} ${oneWord(line.command)}\n`;
    if (current.length > header.length && bytes(current) + bytes(text) > maxBytes) {
      out.push(current);
      current = header;
    }
    current += text;
  }
  out.push(current);
  return out;
}

/** A report datagram read back (tests, and anyone reading sup's reports). */
export interface ParsedReport {
  id: string;
  lines: ReportLine[];
}

/** Parses a report datagram; null when it is not one. */
export function parseReport(text: string): ParsedReport | null {
  const [first, ...rest] = text.split("\n");
  if (!first.startsWith("report ")) return null;
  const lines: ReportLine[] = [];
  for (const row of rest) {
    if (row === "") continue;
    const m = /^(\S+) ([ed]) (\d+) (\d+) (\S+)$/.exec(row);
    if (!m) return null;
    lines.push({
      name: m[1],
      disabled: m[2] === "d",
      elapsedSeconds: Number(m[3]),
      pid: Number(m[4]),
      command: m[5],
    });
  }
  return { id: first.slice("report ".length), lines };
}

/** What a control datagram asks: each target with its verb, in order. */
export type ControlCommand = { verb: "enable" | "disable"; target: string };

/** Why a control datagram was refused (its reason code, and what to log). */
export interface ControlRefusal {
  code: "oversized" | "not-text" | "bad-command" | "no-job";
  detail: string;
}

/** Longest control datagram read (pmtr's buffer). */
export const MAX_CONTROL_BYTES = 2000;

/**
 * Decodes a control datagram: the commands, or why it is garbage. A
 * datagram must start with a verb and name at least one target after each
 * verb; pmtr would act on the part before a mistake, sup refuses the whole.
 */
export function parseControl(
  bytes: Uint8Array,
  truncated = false,
): { ok: true; commands: ControlCommand[] } | { ok: false; refusal: ControlRefusal } {
  const refuse = (code: ControlRefusal["code"], detail: string) => ({
    ok: false as const,
    refusal: { code, detail },
  });
  if (truncated || bytes.length > MAX_CONTROL_BYTES) {
    return refuse("oversized", `over ${MAX_CONTROL_BYTES} bytes`);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return refuse("not-text", "not UTF-8 text");
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text)) {
    return refuse("not-text", "holds control characters");
  }
  const words = text.split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return refuse("bad-command", "empty");
  const commands: ControlCommand[] = [];
  let verb: ControlCommand["verb"] | null = null;
  let named = true;
  for (const word of words) {
    if (word === "enable" || word === "disable") {
      if (!named) return refuse("no-job", `"${verb}" names no job`);
      verb = word;
      named = false;
    } else if (verb === null) {
      return refuse("bad-command", `starts with "${clip(word)}" (expected "enable" or "disable")`);
    } else {
      commands.push({ verb, target: word });
      named = true;
    }
  }
  if (!named) return refuse("no-job", `"${verb}" names no job`);
  return { ok: true, commands };
}

/** A value as one word of a report line (pmtr's fields never hold spaces). */
function oneWord(text: string): string {
  return text === "" ? "-" : text.replace(/\s/g, "_");
}

function bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
