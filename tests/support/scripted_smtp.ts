/**
 * A scripted SMTP server for tests of sup's SMTP client: real TCP on
 * 127.0.0.1 and a free port, one connection at a time, each played by a
 * script (`await s.line()` reads a command, `await s.send("250 ok")`
 * answers), so tests can act as the servers smtp-server cannot be: one
 * offering only AUTH LOGIN, one without EHLO, one that never greets or
 * never answers, one that refuses a recipient, one that talks out of turn.
 *
 * @module
 */

import { freeTcpPort } from "./ports.ts";

/** One connection as a script sees it. */
export interface ScriptSession {
  /** The next line from the client (without CRLF); null when it closed. */
  line(): Promise<string | null>;
  /** Lines up to and including the DATA block's final ".". */
  data(): Promise<string[]>;
  /** Sends `lines` (CRLF added to each). */
  send(...lines: string[]): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/** A running scripted server. */
export interface ScriptedSmtp extends AsyncDisposable {
  port: number;
  /** Every line each connection's client sent, by connection. */
  transcripts: string[][];
  /** Errors scripts threw (a test asserts this is empty). */
  errors: string[];
}

/** Listens; each accepted connection runs `script` (the next one waits until it ends). */
export function scriptedSmtp(script: (s: ScriptSession) => Promise<void>): ScriptedSmtp {
  const port = freeTcpPort();
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const transcripts: string[][] = [];
  const errors: string[] = [];
  const conns = new Set<Deno.Conn>();
  const serving = (async () => {
    for await (const conn of listener) {
      conns.add(conn);
      const transcript: string[] = [];
      transcripts.push(transcript);
      await script(session(conn, transcript)).catch((e) => errors.push(String(e)));
      try {
        conn.close();
      } catch { /* closed by the script */ }
      conns.delete(conn);
    }
  })();
  return {
    port,
    transcripts,
    errors,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await serving.catch(() => {});
    },
  };
}

function session(conn: Deno.Conn, transcript: string[]): ScriptSession {
  const decoder = new TextDecoder();
  let buffered = "";
  const buffer = new Uint8Array(64 * 1024);
  const line = async (): Promise<string | null> => {
    for (;;) {
      const end = buffered.indexOf("\r\n");
      if (end >= 0) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        transcript.push(text);
        return text;
      }
      const count = await conn.read(buffer).catch(() => null);
      if (count === null) return null;
      buffered += decoder.decode(buffer.subarray(0, count));
    }
  };
  return {
    line,
    async data() {
      const lines: string[] = [];
      for (let l = await line(); l !== null; l = await line()) {
        lines.push(l);
        if (l === ".") break;
      }
      return lines;
    },
    async send(...lines) {
      await conn.write(new TextEncoder().encode(lines.map((l) => l + "\r\n").join("")));
    },
    close() {
      try {
        conn.close();
      } catch { /* closed */ }
    },
  };
}
