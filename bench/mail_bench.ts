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
 *    crash mail went out (every module loaded); and the same over STARTTLS
 *    (a self-signed certificate marked CA:FALSE, trusted through `ca`).
 *
 * With `--base=DIR` (a checkout of another commit, e.g. the one before a
 * change: `git archive <commit> | tar -x -C DIR`), every figure is measured
 * for that sup too, in the same run (each benchmark for this sup, then
 * for the base, before the next benchmark).
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

async function crashMail(trials: number, main?: string) {
  await using server = await startSmtpServer();
  const run = await startSup({
    jobs: { app: stampedCrash("0.4") },
    mail: smtpMail(server),
    listeners: [{ kind: "crashmail" }],
  }, main);
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
async function crashMailAio(trials: number, main?: string): Promise<number[] | null> {
  if (!(await hasAioSmtpd())) return null;
  await using server = await startAioSmtpd(freeTcpPort());
  const run = await startSup({
    jobs: { app: stampedCrash("0.4") },
    mail: { ...smtpMail({ port: server.port } as TestSmtpServer) },
    listeners: [{ kind: "crashmail" }],
  }, main);
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

async function batchFirst(trials: number, main?: string) {
  const firsts: number[] = [];
  for (let i = 0; i < trials; i++) {
    await using server = await startSmtpServer();
    const run = await startSup({
      jobs: { app: { ...stampedCrash("0.5"), restart: "never" } },
      mail: smtpMail(server),
      listeners: [{ kind: "crashmailbatch", interval: "1s" }],
    }, main);
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

/** sup with every mail listener, after their mails went out; its settled RSS (MiB). */
async function mailRss(server: TestSmtpServer, mail: Record<string, unknown>, main?: string) {
  const sup = await startSup({
    jobs: { idle: { cmd: "sleep 100000" }, crash: { ...stampedCrash("0.2"), restart: "never" } },
    mail,
    logging: { mail: { level: "error", interval: "1s" } },
    listeners: [
      { kind: "crashmail" },
      { kind: "crashmailbatch", interval: "1s" },
      { kind: "fatalmailbatch", interval: "1s" },
      { kind: "crashsms", to: "555@txt.example.net", interval: "1s" },
    ],
  }, main);
  try {
    await server.waitForMessages(3, 15_000);
    return await settledRss(sup.sup.pid);
  } finally {
    await sup.stop();
  }
}

async function rss(runs: number, main?: string) {
  const plain = { jobs: { idle: { cmd: "sleep 100000" } } };
  const out = { plain: [] as number[], mail: [] as number[], starttls: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const a = await startSup(plain, main);
    out.plain.push(await settledRss(a.sup.pid));
    await a.stop();
    {
      await using server = await startSmtpServer();
      out.mail.push(await mailRss(server, smtpMail(server), main));
    }
    // STARTTLS with a self-signed certificate marked CA:FALSE, trusted through `ca`.
    await using tls = await startSmtpServer({ starttls: true, endEntityCert: true });
    const mail = smtpMail(tls);
    out.starttls.push(
      await mailRss(
        tls,
        { ...mail, smtp: { ...mail.smtp, starttls: true, ca: tls.certFile } },
        main,
      ),
    );
  }
  return out;
}

/** Figures of one sup. */
interface Figures {
  crash: { connected: number[]; accepted: number[] };
  aio: number[] | null;
  batch: number[];
  memory: { plain: number[]; mail: number[]; starttls: number[] };
}

/**
 * Every figure for each sup in `mains` (a checkout's main.ts, or undefined
 * for this one), benchmark by benchmark, so that both see the same load.
 */
async function measure(trials: number, mains: (string | undefined)[]): Promise<Figures[]> {
  const crash: Figures["crash"][] = [];
  for (const main of mains) crash.push(await crashMail(trials, main));
  const aio: Figures["aio"][] = [];
  for (const main of mains) aio.push(await crashMailAio(trials, main));
  const batch: Figures["batch"][] = [];
  for (const main of mains) batch.push(await batchFirst(Math.min(trials, 5), main));
  const memory: Figures["memory"][] = [];
  for (const main of mains) memory.push(await rss(3, main));
  return mains.map((_, i) => ({
    crash: crash[i],
    aio: aio[i],
    batch: batch[i],
    memory: memory[i],
  }));
}

if (import.meta.main) {
  const trials = Number(arg("trials", "10"));
  const baseDir = arg("base", "") || null;
  const [head, base = null] = await measure(
    trials,
    baseDir ? [undefined, `${baseDir}/main.ts`] : [undefined],
  );
  const fmt = (n: number) => n.toFixed(1);
  const fig = (pick: (m: Figures) => string) => base ? `${pick(head)} | ${pick(base)}` : pick(head);
  const row = (label: string, value: string, goal: string, superlance: string) =>
    `| ${label} | ${value} | ${goal} | ${superlance} |`;
  const added = (m: Figures) => fmt(median(m.memory.mail) - median(m.memory.plain));
  const lines = [
    `| figure | sup${base ? " | base" : ""} | goal | superlance |`,
    `| --- | ---:${base ? " | ---:" : ""} | ---: | ---: |`,
    row(
      "crash → sup connects to the SMTP server, median (ms)",
      fig((m) => fmt(median(m.crash.connected))),
      "",
      "",
    ),
    row(
      "crash → mail accepted (incl. smtp-server's 100 ms greeting pause), median / max (ms)",
      fig((m) => `${fmt(median(m.crash.accepted))} / ${fmt(Math.max(...m.crash.accepted))}`),
      "< 100",
      `${SUPERLANCE.crashMailMs} / ${SUPERLANCE.crashMailMaxMs}`,
    ),
    ...(head.aio
      ? [row(
        "crash → mail accepted by aiosmtpd (greets at once), median / max (ms)",
        fig((m) => m.aio ? `${fmt(median(m.aio))} / ${fmt(Math.max(...m.aio))}` : "-"),
        "< 100",
        `${SUPERLANCE.crashMailMs} / ${SUPERLANCE.crashMailMaxMs}`,
      )]
      : []),
    row(
      "crashmailbatch (1 s) first crash → mail, median (ms)",
      fig((m) => fmt(median(m.batch))),
      "",
      `${SUPERLANCE.batchFirstMs}`,
    ),
    row("sup RSS, plain config (MiB)", fig((m) => fmt(median(m.memory.plain))), "", ""),
    row(
      "sup RSS, mail + 4 mail listeners + logging.mail (MiB)",
      fig((m) => fmt(median(m.memory.mail))),
      "",
      "",
    ),
    row(
      "added by the mail listeners (MiB)",
      fig(added),
      "< 5",
      `${SUPERLANCE.listenersMiB} (6 processes)`,
    ),
    row(
      "same over STARTTLS (self-signed CA:FALSE certificate as `ca`): added (MiB)",
      fig((m) => fmt(median(m.memory.starttls) - median(m.memory.plain))),
      "< 5",
      "",
    ),
  ];
  console.log(lines.join("\n"));
  console.log(JSON.stringify({ trials, head, base }, null, 2));
}
