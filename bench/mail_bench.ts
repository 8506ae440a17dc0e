/**
 * Mail benchmarks (issue 9), against superlance's figures:
 *
 * 1. crash → crash mail handed to a real SMTP server (npm smtp-server on
 *    loopback): a job prints the time (ms) to stderr and exits 3; crashmail's
 *    mail carries that stderr line; the server notes when it accepted sup's
 *    TCP connection and when it accepted the message. smtp-server holds its
 *    greeting 100 ms on purpose ("early talker" check), so "accepted"
 *    includes that pause; the TCP accept is when sup began handing over.
 * 2. crashmailbatch (interval 1 s): first crash → batch mail accepted.
 * 3. RSS: sup with one sleeping job and no mail, then the same job with the
 *    `mail` section, the four mail listeners and `logging.mail` after a
 *    crash mail went out (every module loaded). Optionally (`--base=DIR`,
 *    a checkout of the commit before this work) the plain config under the
 *    base sup, to show that an unused feature costs nothing.
 *
 * Run: `deno run -A bench/mail_bench.ts [--trials=N] [--base=DIR]`; prints
 * a table and the JSON figures.
 *
 * @module
 */

import { startSmtpServer, type TestSmtpServer } from "../tests/support/smtp_server.ts";
import { SupProcess } from "../tests/support/sup_process.ts";
import { freeTcpPort, freeUdpPort } from "../tests/support/ports.ts";
import { rssBytes } from "./lib/proc.ts";
import { hasAioSmtpd, startAioSmtpd } from "./lib/aiosmtpd.ts";

const SUPERLANCE = {
  crashMailMs: 1000,
  crashMailMaxMs: 2000,
  batchFirstMs: 3300,
  listenersMiB: 141,
};

function arg(name: string, fallback: string): string {
  const found = Deno.args.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function network(): Promise<Record<string, unknown>> {
  return {
    http: { port: freeTcpPort() },
    websocket: { port: freeTcpPort() },
    osc: { port: await freeUdpPort() },
  };
}

/** Starts `sup run` on `config` in a temp dir; resolves once it logged that it runs. */
async function startSup(config: Record<string, unknown>, main?: string) {
  const dir = await Deno.makeTempDir({ prefix: "sup-mail-bench-" });
  await Deno.mkdir(`${dir}/runtime`);
  await Deno.writeTextFile(
    `${dir}/sup.json`,
    JSON.stringify({ ...config, network: await network() }),
  );
  const sup = new SupProcess(
    `${dir}/sup.json`,
    { XDG_RUNTIME_DIR: `${dir}/runtime` },
    [],
    dir,
    main,
  );
  await sup.waitFor(/sup \d+ running/, 30_000);
  return {
    sup,
    async stop() {
      sup.kill("SIGTERM");
      await sup.exit(15_000);
      await Deno.remove(dir, { recursive: true });
    },
  };
}

function smtpMail(server: TestSmtpServer) {
  return {
    smtp: { host: "127.0.0.1", port: server.port, starttls: false },
    to: "ops@example.com",
    backoff: { initial: "1s", max: "1s" },
  };
}

/** A job that sleeps `sleep` s, prints the time (ms) to stderr and exits 3. */
function stampedCrash(sleep: string) {
  return {
    cmd: ["/bin/sh", "-c", `sleep ${sleep}; date +%s%3N >&2; exit 3`],
    minUptime: "100ms",
    backoff: { initial: "100ms", max: "100ms" },
  };
}

async function crashMail(trials: number) {
  await using server = await startSmtpServer();
  const run = await startSup({
    jobs: { app: stampedCrash("0.4") },
    mail: smtpMail(server),
    listeners: [{ kind: "crashmail" }],
  });
  const connected: number[] = [];
  const accepted: number[] = [];
  try {
    // The first crash loads the mail code; measure from the second on.
    await server.waitForMessages(trials + 1, 30_000 + trials * 2_000);
    for (let i = 1; i <= trials; i++) {
      const mail = server.messages[i];
      const stamp = Number(mail.text.match(/^\s+(\d{13})$/m)?.[1]);
      if (!stamp) throw new Error(`No stamp in mail:\n${mail.text}`);
      accepted.push(mail.at - stamp);
      const connect = server.connectedAt.find((t) => t >= stamp);
      if (connect !== undefined) connected.push(connect - stamp);
    }
  } finally {
    await run.stop();
  }
  return { connected, accepted };
}

/** The same crash mail, handed to aiosmtpd (greets at once): null without python3-aiosmtpd. */
async function crashMailAio(trials: number): Promise<number[] | null> {
  if (!(await hasAioSmtpd())) return null;
  await using server = await startAioSmtpd(freeTcpPort());
  const run = await startSup({
    jobs: { app: stampedCrash("0.4") },
    mail: { ...smtpMail({ port: server.port } as TestSmtpServer) },
    listeners: [{ kind: "crashmail" }],
  });
  const accepted: number[] = [];
  try {
    await server.waitForMessages(trials + 1, 30_000 + trials * 2_000);
    for (let i = 1; i <= trials; i++) {
      const mail = server.messages[i];
      const stamp = Number(mail.text.replace(/=\r?\n/g, "").match(/^\s+(\d{13})\r?$/m)?.[1]);
      if (!stamp) throw new Error(`No stamp in mail:\n${mail.text}`);
      accepted.push(mail.at - stamp);
    }
  } finally {
    await run.stop();
  }
  return accepted;
}

async function batchFirst(trials: number) {
  const firsts: number[] = [];
  for (let i = 0; i < trials; i++) {
    await using server = await startSmtpServer();
    const run = await startSup({
      jobs: { app: { ...stampedCrash("0.5"), restart: "never" } },
      mail: smtpMail(server),
      listeners: [{ kind: "crashmailbatch", interval: "1s" }],
    });
    try {
      const [mail] = await server.waitForMessages(1, 15_000);
      const stamp = Number(mail.text.match(/^\s+(\d{13})$/m)?.[1]);
      firsts.push(mail.at - stamp);
    } finally {
      await run.stop();
    }
  }
  return firsts;
}

async function settledRss(pid: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 3_000));
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssBytes(pid) ?? NaN);
    await new Promise((r) => setTimeout(r, 200));
  }
  return median(samples) / 2 ** 20;
}

async function rss(runs: number, base: string | null) {
  const plain = { jobs: { idle: { cmd: "sleep 100000" } } };
  const out = { plain: [] as number[], mail: [] as number[], base: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const a = await startSup(plain);
    out.plain.push(await settledRss(a.sup.pid));
    await a.stop();
    if (base) {
      const b = await startSup(plain, `${base}/main.ts`);
      out.base.push(await settledRss(b.sup.pid));
      await b.stop();
    }
    await using server = await startSmtpServer();
    const c = await startSup({
      jobs: { idle: { cmd: "sleep 100000" }, crash: { ...stampedCrash("0.2"), restart: "never" } },
      mail: smtpMail(server),
      logging: { mail: { level: "error", interval: "1s" } },
      listeners: [
        { kind: "crashmail" },
        { kind: "crashmailbatch", interval: "1s" },
        { kind: "fatalmailbatch", interval: "1s" },
        { kind: "crashsms", to: "555@txt.example.net", interval: "1s" },
      ],
    });
    await server.waitForMessages(3, 15_000);
    out.mail.push(await settledRss(c.sup.pid));
    await c.stop();
  }
  return out;
}

if (import.meta.main) {
  const trials = Number(arg("trials", "10"));
  const base = arg("base", "") || null;
  const crash = await crashMail(trials);
  const aio = await crashMailAio(trials);
  const batch = await batchFirst(Math.min(trials, 5));
  const memory = await rss(3, base);
  const row = (label: string, value: string, goal: string, superlance: string) =>
    `| ${label} | ${value} | ${goal} | ${superlance} |`;
  const fmt = (n: number) => n.toFixed(1);
  const lines = [
    "| figure | sup | goal | superlance |",
    "| --- | ---: | ---: | ---: |",
    row(
      "crash → sup connects to the SMTP server, median (ms)",
      fmt(median(crash.connected)),
      "",
      "",
    ),
    row(
      "crash → mail accepted (incl. smtp-server's 100 ms greeting pause), median / max (ms)",
      `${fmt(median(crash.accepted))} / ${fmt(Math.max(...crash.accepted))}`,
      "< 100",
      `${SUPERLANCE.crashMailMs} / ${SUPERLANCE.crashMailMaxMs}`,
    ),
    ...(aio
      ? [row(
        "crash → mail accepted by aiosmtpd (greets at once), median / max (ms)",
        `${fmt(median(aio))} / ${fmt(Math.max(...aio))}`,
        "< 100",
        `${SUPERLANCE.crashMailMs} / ${SUPERLANCE.crashMailMaxMs}`,
      )]
      : []),
    row(
      "crashmailbatch (1 s) first crash → mail, median (ms)",
      fmt(median(batch)),
      "",
      `${SUPERLANCE.batchFirstMs}`,
    ),
    row("sup RSS, plain config (MiB)", fmt(median(memory.plain)), "", ""),
    row("sup RSS, mail + 4 mail listeners + logging.mail (MiB)", fmt(median(memory.mail)), "", ""),
    row(
      "added by the mail listeners (MiB)",
      fmt(median(memory.mail) - median(memory.plain)),
      "< 5",
      `${SUPERLANCE.listenersMiB} (6 processes)`,
    ),
    ...(base
      ? [row("sup RSS, plain config, base commit (MiB)", fmt(median(memory.base)), "same", "")]
      : []),
  ];
  console.log(lines.join("\n"));
  console.log(JSON.stringify({ trials, crash, aio, batch, memory }, null, 2));
}
