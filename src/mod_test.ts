import { strictEqual } from "node:assert/strict";
import { defineConfig, listener, plugin } from "./mod.ts";

Deno.test("defineConfig returns its config unchanged", () => {
  const config = {
    jobs: { db: { cmd: "postgres" }, web: { cmd: "node web.js", after: ["db" as const] } },
  };
  strictEqual(defineConfig(config), config);
});

Deno.test("defineConfig types `after` with the config's own job names", () => {
  defineConfig({
    jobs: {
      db: { cmd: "postgres" },
      // @ts-expect-error: "dbb" is not a job of this config
      web: { cmd: "node web.js", after: ["dbb"] },
    },
  });
  defineConfig({
    jobs: {
      db: { cmd: "postgres" },
      web: { cmd: "node web.js", after: ["db"], maxMemory: "200MB", restart: "on-failure" },
    },
    modes: { dev: { jobs: { web: { env: { DEBUG: "1" } } } } },
  });
});

Deno.test("defineConfig types listeners: events, the context, listener() and plugins", () => {
  const seen: string[] = [];
  defineConfig({
    jobs: { web: { cmd: "node web.js", groups: ["front"] } },
    listeners: [
      (event, ctx) => {
        if (event.type === "job.exited") ctx.restart(event.job, `exit code ${event.code}`);
      },
      { name: "front", on: ["job.*"], jobs: "group:front", timeout: "2s", handle: () => {} },
      listener({
        on: ["job.exited", "job.fatal"],
        handle(event, ctx) {
          if (event.type === "job.exited") seen.push(event.stderrTail.join("\n"));
          else seen.push(event.message);
          ctx.send(event.job, { address: "/crashed" });
        },
      }),
      // @ts-expect-error: "job.exitted" is not an event type
      { on: ["job.exitted"], handle: () => {} },
      listener({
        on: ["job.ready"],
        // @ts-expect-error: a job.ready event has no exit code
        handle: (event) => void seen.push(String(event.code)),
      }),
      plugin({
        name: "kiosk",
        setup(ctx) {
          return ctx.on("app.message", (event) => void ctx.send(event.job ?? "web", event.args));
        },
      }),
    ],
    modes: { dev: { listeners: [(event) => void seen.push(event.type)] } },
  });
});
