/**
 * The `httpok` listener end to end: a real app that starts hanging, then
 * answering 500, is restarted by httpok; with `coreDir` gdb's gcore really
 * writes a core file of the hung process first, and its output is in the
 * notification. Through `sup run` on a JSON config, and through `runSup`
 * (the same composition root) with a notifier that records.
 */

import { equal, ok } from "node:assert/strict";
import { resolveConfig } from "../src/config/resolve.ts";
import { runSup } from "../src/cli/run.ts";
import { defaultComponents } from "../src/cli/components.ts";
import type { Notification } from "../src/core/notification.ts";
import type { Supervisor } from "../src/core/supervisor.ts";
import { until } from "../src/testing/wait.ts";
import { freeTcpPort, freeUdpPort } from "./support/ports.ts";
import { startSupProcess } from "./support/sup_run.ts";

const APP = new URL("./fixtures/health_app.py", import.meta.url).pathname;

interface JobView {
  restarts: number;
  pid: number | null;
  state: string;
  lastReason: { source: string; by?: string; detail?: string } | null;
}

Deno.test("sup run: httpok restarts the hung job (core dumped first) and then the one answering 500, never the others", async () => {
  const port = freeTcpPort();
  await using sup = await startSupProcess((_ports, dir) => ({
    jobs: {
      web: { cmd: ["python3", "-u", APP, String(port), `${dir}/mode`] },
      other: { cmd: ["sleep", "300"] },
    },
    listeners: [{
      kind: "httpok",
      url: `http://127.0.0.1:${port}/`,
      jobs: ["web"],
      interval: "2s",
      timeout: "500ms",
      coreDir: "cores",
    }],
  }));
  const mode = (text: string) => Deno.writeTextFileSync(`${sup.dir}/mode`, text);
  await sup.waitForLog(["listening on"], "the app serves");
  const hung = await sup.get<JobView>("/api/jobs/web");
  mode("hang");
  await sup.waitForLog(
    ["restart [listener httpok: GET http://127.0.0.1:", "timeout after 500ms]"],
    "httpok restarts the hung app",
  ).catch((e) => {
    throw new Error(`${e}\n${sup.logLines().filter((l) => !l.includes("[DBG]")).join("\n")}`);
  });
  const core = `${sup.dir}/cores/web.${hung.pid}`;
  ok((await Deno.stat(core)).size > 100_000, "gcore wrote the hung process's core");
  mode("500");
  await until(
    async () => (await sup.get<JobView>("/api/jobs/web")).restarts >= 2,
    "a second restart, for status 500",
    15_000,
  );
  const web = await sup.get<JobView>("/api/jobs/web");
  equal(web.lastReason?.source, "listener");
  equal(web.lastReason?.by, "httpok");
  ok(web.lastReason?.detail?.includes("status 500 (expected 200)"), web.lastReason?.detail);
  mode("ok");
  const other = await sup.get<JobView>("/api/jobs/other");
  equal(other.restarts, 0, "a job httpok does not select is never touched");
  equal(other.state, "running");
});

Deno.test("runSup: httpok's notification says what failed, what it restarted, and gcore's output", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "sup-httpok-" }));
  const port = freeTcpPort();
  const notes: Notification[] = [];
  let api: Supervisor | null = null;
  const stop = Promise.withResolvers<void>();
  const config = await resolveConfig({
    jobs: { web: { cmd: ["python3", "-u", APP, String(port), `${dir}/mode`] } },
    network: {
      http: { port: freeTcpPort() },
      websocket: { port: freeTcpPort() },
      osc: { port: await freeUdpPort() },
    },
    listeners: [{
      kind: "httpok",
      name: "shop",
      url: `http://127.0.0.1:${port}/`,
      any: true,
      interval: "2s",
      timeout: "500ms",
      coreDir: "cores",
    }],
  }, { source: `${dir}/sup.config.ts` });
  const done = runSup({
    load: () => Promise.resolve({ config, files: [] }),
    stateDir: dir,
    configureLogging: false,
    stop: stop.promise,
    components: (parts) => {
      api = parts.api as Supervisor;
      parts.notifiers?.register({
        name: "recorder",
        send: (message) => {
          notes.push(message);
          return Promise.resolve({ notifier: "recorder", ok: true, detail: "recorded" });
        },
        test: () => Promise.resolve({ notifier: "recorder", ok: true, detail: "recorded" }),
      });
      return defaultComponents(parts);
    },
  });
  try {
    await until(() => api?.jobStatus("web")?.state === "running", "web running", 10_000);
    const pid = api!.jobStatus("web")!.pid!;
    await until(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/`).catch(() => null);
        await res?.body?.cancel();
        return res?.ok === true;
      },
      "the app answers",
      10_000,
    );
    Deno.writeTextFileSync(`${dir}/mode`, "500");
    const restarted = (n: Notification) => n.subject.endsWith("status 500 (expected 200)");
    await until(() => notes.some(restarted), "httpok's notification", 15_000);
    const note = notes.find(restarted)!;
    equal(note.subject, `httpok [shop]: http://127.0.0.1:${port}/: status 500 (expected 200)`);
    ok(note.body.includes(`gcore output for job "web" (pid ${pid}, core written to`), note.body);
    ok(note.body.includes("Saved corefile"), note.body);
    ok(note.body.includes(`Job "web" (pid ${pid}) was running: restarted`), note.body);
    equal(note.job, "web");
    ok((await Deno.stat(`${dir}/cores/web.${pid}`)).isFile);
  } finally {
    Deno.writeTextFileSync(`${dir}/mode`, "ok");
    stop.resolve();
    equal(await done, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
