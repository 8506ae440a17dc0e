/**
 * A second real SMTP server for the mail bench: Debian's python3-aiosmtpd on
 * loopback, which greets at once (npm smtp-server holds its greeting 100 ms
 * to catch early talkers, which is the server's time, not sup's). Each
 * accepted message is printed as one JSON line with the time it was accepted.
 *
 * @module
 */

const SERVER = `
import asyncio, json, sys, time
from aiosmtpd.controller import Controller
class Handler:
    async def handle_DATA(self, server, session, envelope):
        at = time.time() * 1000
        text = envelope.content.decode("utf8", "replace")
        print(json.dumps({"at": at, "text": text}), flush=True)
        return "250 OK"
c = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
print(json.dumps({"ready": True}), flush=True)
try:
    sys.stdin.read()
finally:
    c.stop()
`;

/** A message aiosmtpd accepted: when (ms since epoch) and its raw text. */
export interface AcceptedMail {
  at: number;
  text: string;
}

/** A running aiosmtpd; dispose to stop it (closes its stdin, then SIGTERM). */
export interface AioSmtpd extends AsyncDisposable {
  port: number;
  messages: AcceptedMail[];
  /** Waits (bounded) for `count` messages. */
  waitForMessages(count: number, timeoutMs: number): Promise<AcceptedMail[]>;
}

/** True when Debian's python3 has aiosmtpd. */
export async function hasAioSmtpd(): Promise<boolean> {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: ["-c", "import aiosmtpd"],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => null);
  return out?.success ?? false;
}

/** Starts aiosmtpd on `port` (127.0.0.1); resolves once it listens. */
export async function startAioSmtpd(port: number): Promise<AioSmtpd> {
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-c", SERVER, String(port)],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const messages: AcceptedMail[] = [];
  let ready: () => void = () => {};
  const up = new Promise<void>((resolve) => ready = resolve);
  const reading = (async () => {
    let buffered = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (line.ready) ready();
        else messages.push(line);
      }
    }
  })();
  const timer = setTimeout(() => ready(), 10_000);
  await up;
  clearTimeout(timer);
  return {
    port,
    messages,
    async waitForMessages(count, timeoutMs) {
      const end = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > end) throw new Error(`aiosmtpd: ${messages.length} of ${count} messages`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages.slice(0, count);
    },
    async [Symbol.asyncDispose]() {
      await child.stdin.close().catch(() => {});
      const kill = setTimeout(() => child.kill("SIGKILL"), 3_000);
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      clearTimeout(kill);
      await reading.catch(() => {});
    },
  };
}
