/**
 * sup's SMTP client against scripted servers on real TCP (AUTH LOGIN only,
 * no EHLO, silence, refusals, out-of-turn data) and against npm
 * smtp-server with implicit TLS and STARTTLS, for both kinds of
 * self-signed certificate: one made as an end entity (`CA:FALSE`, Deno's
 * own TLS) and one made as a CA (`openssl req -x509`'s default, which only
 * Node's TLS accepts).
 */
import { Buffer } from "node:buffer";
import { deepStrictEqual, equal, match, ok, rejects } from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import { DeliveryError } from "../src/notify/mail_queue.ts";
import { mailSender } from "../src/notify/mail_transport.ts";
import { sendSmtp, type SmtpClientOptions } from "../src/notify/smtp_client.ts";
import { freeTcpPort } from "./support/ports.ts";
import { scriptedSmtp, type ScriptSession } from "./support/scripted_smtp.ts";
import { loopbackSmtp, selfSignedCertificate } from "./support/smtp_server.ts";

function options(port: number, extra: Partial<SmtpClientOptions> = {}): SmtpClientOptions {
  return {
    host: "127.0.0.1",
    port,
    secure: false,
    starttls: "offered",
    auth: null,
    caCerts: [],
    timeoutMs: 2_000,
    clientName: "kiosk-3.example.com",
    ...extra,
  };
}

const envelope = { from: "sup@example.com", to: ["ops@example.com"] };
const message = "Subject: hi\r\n\r\nline one\r\n.leading dot\r\n";

/** Greets, answers EHLO with `ehlo` lines, then plays a normal session. */
async function normal(s: ScriptSession, ehlo = ["250 mx.example.com"]) {
  await s.send("220 mx.example.com ESMTP");
  await s.line(); // EHLO
  await s.send(...ehlo);
  let line = await s.line();
  while (line !== null && !line.startsWith("MAIL FROM")) line = await s.line();
  await s.send("250 sender ok");
  for (line = await s.line(); line?.startsWith("RCPT TO"); line = await s.line()) {
    await s.send("250 recipient ok");
  }
  await s.send("354 go ahead");
  await s.data();
  await s.send("250 2.0.0 Ok: queued as 4F2A");
  if ((await s.line()) === "QUIT") await s.send("221 bye");
}

async function permanence(promise: Promise<unknown>): Promise<[boolean, string]> {
  try {
    await promise;
  } catch (error) {
    ok(error instanceof DeliveryError, String(error));
    return [error.permanent, error.message];
  }
  throw new Error("expected a DeliveryError");
}

Deno.test("a whole session: EHLO name, envelope, dot-stuffed DATA, QUIT; the server's reply returned", async () => {
  await using server = scriptedSmtp((s) => normal(s));
  const reply = await sendSmtp(options(server.port), envelope, message);
  equal(reply, "250 2.0.0 Ok: queued as 4F2A");
  deepStrictEqual(server.transcripts[0], [
    "EHLO kiosk-3.example.com",
    "MAIL FROM:<sup@example.com>",
    "RCPT TO:<ops@example.com>",
    "DATA",
    "Subject: hi",
    "",
    "line one",
    "..leading dot",
    ".",
    "QUIT",
  ]);
  deepStrictEqual(server.errors, []);
});

Deno.test("AUTH LOGIN when the server lists only LOGIN; a host name without a dot gives [address]", async () => {
  await using server = scriptedSmtp(async (s) => {
    await s.send("220-mx.example.com", "220 multiline greeting");
    await s.line();
    await s.send("250-mx.example.com", "250-AUTH LOGIN", "250 SIZE 1000000");
    equal(await s.line(), "AUTH LOGIN");
    await s.send("334 VXNlcm5hbWU6");
    equal(fromBase64((await s.line())!), "kiosk");
    await s.send("334 UGFzc3dvcmQ6");
    equal(fromBase64((await s.line())!), "pässwort");
    await s.send("235 2.7.0 Authentication successful");
    await normalAfterAuth(s);
  });
  const pass = "pässwort";
  await sendSmtp(
    options(server.port, { auth: { user: "kiosk", pass }, clientName: "kiosk" }),
    envelope,
    message,
  );
  equal(server.transcripts[0][0], "EHLO [127.0.0.1]");
  deepStrictEqual(server.errors, []);
});

function fromBase64(text: string): string {
  return new TextDecoder().decode(Uint8Array.fromBase64(text));
}

/** After AUTH: MAIL, RCPT, DATA, QUIT. */
async function normalAfterAuth(s: ScriptSession) {
  await s.line();
  await s.send("250 ok");
  await s.line();
  await s.send("250 ok");
  await s.line();
  await s.send("354 go");
  await s.data();
  await s.send("250 queued");
  await s.line();
  await s.send("221 bye");
}

Deno.test("HELO when the server does not know EHLO", async () => {
  await using server = scriptedSmtp(async (s) => {
    await s.send("220 old.example.com");
    equal(await s.line(), "EHLO kiosk-3.example.com");
    await s.send("502 command not implemented");
    equal(await s.line(), "HELO kiosk-3.example.com");
    await s.send("250 old.example.com");
    await normalAfterAuth(s);
  });
  equal(await sendSmtp(options(server.port), envelope, message), "250 queued");
  deepStrictEqual(server.errors, []);
});

Deno.test("timeouts: a server that never greets, one that never answers the message", async () => {
  await using silent = scriptedSmtp(async (s) => {
    await s.line(); // waits for the client, which waits for the greeting
  });
  const start = Date.now();
  const [permanent, error] = await permanence(
    sendSmtp(options(silent.port, { timeoutMs: 300 }), envelope, message),
  );
  equal(permanent, false);
  equal(error, "Timed out after 300 ms waiting for the greeting from 127.0.0.1 (ETIMEDOUT)");
  ok(Date.now() - start < 2_000, `${Date.now() - start} ms`);

  await using slow = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    await s.send("250 hi");
    for (const answer of ["250 ok", "250 ok", "354 go"]) {
      await s.line();
      await s.send(answer);
    }
    await s.data();
    await s.line(); // never answers; the client closes
  });
  const [late, text] = await permanence(
    sendSmtp(options(slow.port, { timeoutMs: 300 }), envelope, message),
  );
  equal(late, false);
  match(text, /Timed out after 300 ms waiting for the reply to the message/);
});

Deno.test("refusals: 4xx temporary, 5xx permanent, a refused recipient among others reported", async () => {
  await using busy = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    await s.send("250 hi");
    await s.line();
    await s.send("452 4.3.1 Insufficient system storage");
  });
  deepStrictEqual(await permanence(sendSmtp(options(busy.port), envelope, message)), [
    false,
    "127.0.0.1 refused the sender: 452 4.3.1 Insufficient system storage",
  ]);

  await using picky = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    await s.send("250 hi");
    await s.line();
    await s.send("250 ok");
    for (let line = await s.line(); line?.startsWith("RCPT"); line = await s.line()) {
      await s.send(line.includes("nobody") ? "550 5.1.1 No such user" : "250 ok");
    }
    await s.send("354 go");
    await s.data();
    await s.send("554 5.7.1 Message rejected as spam");
  });
  const two = { from: "a@b.c", to: ["nobody@example.com", "ops@example.com"] };
  deepStrictEqual(await permanence(sendSmtp(options(picky.port), two, message)), [
    true,
    "127.0.0.1 refused the message: 554 5.7.1 Message rejected as spam",
  ]);

  await using partly = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    await s.send("250 hi");
    await s.line();
    await s.send("250 ok");
    for (let line = await s.line(); line?.startsWith("RCPT"); line = await s.line()) {
      await s.send(line.includes("nobody") ? "550 5.1.1 No such user" : "250 ok");
    }
    await s.send("354 go");
    await s.data();
    await s.send("250 queued");
    await s.line();
    await s.send("221 bye");
  });
  equal(
    await sendSmtp(options(partly.port), two, message),
    "250 queued (refused: nobody@example.com (550 5.1.1 No such user))",
  );
  const none = { from: "a@b.c", to: ["nobody@example.com"] };
  deepStrictEqual(await permanence(sendSmtp(options(partly.port), none, message)), [
    true,
    "127.0.0.1 refused the recipient nobody@example.com: 550 5.1.1 No such user",
  ]);
});

Deno.test("a server that talks out of turn or hangs up is a temporary error, never a hang", async () => {
  await using injecting = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    await s.send("250-hi", "250 STARTTLS");
    await s.line();
    await s.send("220 go ahead", "250 injected before TLS");
    await s.line();
  });
  deepStrictEqual(await permanence(sendSmtp(options(injecting.port), envelope, message)), [
    false,
    "127.0.0.1: The server sent data after its STARTTLS reply",
  ]);

  await using garbage = scriptedSmtp(async (s) => {
    await s.send("HTTP/1.1 400 Bad Request");
  });
  const [permanent, text] = await permanence(sendSmtp(options(garbage.port), envelope, message));
  equal(permanent, false);
  match(text, /reply is not SMTP: "HTTP\/1.1 400 Bad Request"/);

  await using hangup = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    s.close();
  });
  deepStrictEqual(await permanence(sendSmtp(options(hangup.port), envelope, message)), [
    false,
    "127.0.0.1 closed the connection before the reply to EHLO",
  ]);
});

Deno.test("STARTTLS required but not offered, AUTH wanted but not offered: permanent, said plainly", async () => {
  await using server = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    await s.send("250 hi");
    await s.line();
  });
  deepStrictEqual(
    await permanence(sendSmtp(options(server.port, { starttls: "required" }), envelope, message)),
    [true, '127.0.0.1 does not offer STARTTLS (the mail config says starttls: "required")'],
  );
  deepStrictEqual(
    await permanence(
      sendSmtp(options(server.port, { auth: { user: "u", pass: "p" } }), envelope, message),
    ),
    [
      true,
      "127.0.0.1 does not offer AUTH on an unencrypted connection (try starttls), and the config has a user",
    ],
  );
  await rejects(
    sendSmtp(options(server.port), { from: "a@b.c", to: [] }, message),
    /no recipients/,
  );
});

/** smtp-server with TLS from the first byte (`secure`) or STARTTLS, AUTH PLAIN/LOGIN; resolves messages. */
async function tlsServer(pem: { cert: string; key: string }, secure: boolean) {
  const port = freeTcpPort();
  const got: { text: string; user: string; secure: boolean }[] = [];
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    secure,
    key: await Deno.readTextFile(pem.key),
    cert: await Deno.readTextFile(pem.cert),
    onAuth(auth, _session, callback) {
      if (auth.username === "sup" && auth.password === "s3cret") {
        return callback(null, { user: "sup" });
      }
      callback(new Error("Authentication failed"));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        got.push({
          text: Buffer.concat(chunks).toString(),
          user: String(session.user),
          secure: session.secure,
        });
        callback();
      });
    },
  });
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    port,
    got,
    async [Symbol.asyncDispose]() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const secure of [true, false]) {
  const how = secure ? "implicit TLS (secure)" : "STARTTLS";
  Deno.test(`${how} with AUTH, both kinds of self-signed certificate trusted through caCerts`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "sup-smtp-tls-" });
    try {
      const kinds = {
        "CA:FALSE": await selfSignedCertificate(dir, true),
        "CA:TRUE": await selfSignedCertificate(dir),
      };
      for (const [kind, pem] of Object.entries(kinds)) {
        await using server = await tlsServer(pem, secure);
        const opts = options(server.port, {
          secure,
          starttls: secure ? "never" : "required",
          auth: { user: "sup", pass: "s3cret" },
          caCerts: [await Deno.readTextFile(pem.cert)],
        });
        match(await sendSmtp(opts, envelope, message), /^250 /, kind);
        equal(server.got.length, 1, kind);
        equal(server.got[0].user, "sup");
        equal(server.got[0].secure, true);
        match(server.got[0].text, /^Subject: hi\r\n\r\nline one\r\n\.leading dot\r\n$/);
        // Untrusted (no caCerts): a certificate error, temporary.
        const [permanent, error] = await permanence(
          sendSmtp({ ...opts, port: server.port, caCerts: [] }, envelope, message),
        );
        equal(permanent, false, kind);
        match(error, /certificate/i, kind);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a retried message is the same message: same Message-ID and Date", async () => {
  let attempt = 0;
  await using server = scriptedSmtp(async (s) => {
    await s.send("220 hi");
    await s.line();
    await s.send("250 hi");
    for (const answer of ["250 ok", "250 ok", "354 go"]) {
      await s.line();
      await s.send(answer);
    }
    await s.data();
    await s.send(++attempt === 1 ? "451 4.3.0 try again" : "250 queued");
    await s.line();
  });
  const send = mailSender(loopbackSmtp(server.port, 2_000));
  const mail = { from: "sup@example.com", to: ["ops@example.com"], subject: "x", text: "y" };
  const [permanent] = await permanence(send(mail));
  equal(permanent, false);
  await new Promise((r) => setTimeout(r, 1_100)); // a later Date, were it composed again
  equal(await send(mail), "250 queued");
  const header = (t: string[], name: string) => t.find((l) => l.startsWith(name));
  const [first, second] = server.transcripts;
  ok(header(first, "Message-ID: <"));
  equal(header(first, "Message-ID:"), header(second, "Message-ID:"));
  equal(header(first, "Date:"), header(second, "Date:"));
});
