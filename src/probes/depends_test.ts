import { deepStrictEqual, equal, match } from "node:assert/strict";
import type { JobState } from "../core/events.ts";
import { jobStatus, RecordingApi } from "../testing/recording_api.ts";
import { until } from "../testing/wait.ts";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import { DependsProbe, fingerprint } from "./depends.ts";

async function withProbe(
  depends: Record<string, string[]>,
  body: (ctx: {
    dir: string;
    api: RecordingApi;
    probe: DependsProbe;
    restarted: () => string[];
    /** Files checked so far and those found changed. */
    checked: Set<string>;
    changed: Set<string>;
  }) => Promise<void>,
  states: Record<string, JobState> = {},
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "sup_depends_" });
  const jobs = Object.entries(depends).map(([name, files]) =>
    resolvedJob(name, ["sleep", "100"], { depends: files.map((f) => `${dir}/${f}`) })
  );
  const config = resolvedConfig(jobs);
  const api = new RecordingApi(config);
  for (const job of jobs) {
    api.statuses.set(job.name, jobStatus(job.name, { state: states[job.name] ?? "running" }));
  }
  const checked = new Set<string>();
  const changed = new Set<string>();
  const probe = new DependsProbe(api, undefined, {
    debounceMs: 50,
    onCheck: (files, changes) => {
      for (const f of files) checked.add(f.slice(dir.length + 1));
      for (const f of changes) changed.add(f.slice(dir.length + 1));
    },
  });
  try {
    await Deno.writeTextFile(`${dir}/app.json`, '{"a":1}');
    await Deno.writeTextFile(`${dir}/other.json`, "1");
    probe.apply(config);
    await probe.ready();
    await body({
      dir,
      api,
      probe,
      restarted: () => api.actions.filter((a) => a.method === "restart").map((a) => a.job),
      checked,
      changed,
    });
  } finally {
    await probe.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a content change restarts the jobs that depend on the file, with the file named", () =>
  withProbe(
    { web: ["app.json"], worker: ["app.json", "other.json"], db: [] },
    async ({ dir, api, restarted }) => {
      await Deno.writeTextFile(`${dir}/app.json`, '{"a":2}');
      await until(() => restarted().length === 2, "restarts of web and worker");
      deepStrictEqual(restarted().sort(), ["web", "worker"]);
      const reason = api.actions[0].reason!;
      equal(reason.source, "depends");
      equal(reason.detail, `file "${dir}/app.json" changed`);
    },
  ));

Deno.test("a touch or a rewrite with the same content restarts nothing", () =>
  withProbe({ web: ["app.json"] }, async ({ dir, restarted, checked, changed }) => {
    const later = new Date(Date.now() + 60_000);
    await Deno.utime(`${dir}/app.json`, later, later);
    await until(() => checked.has("app.json"), "a check of app.json after the touch");
    checked.clear();
    await Deno.writeTextFile(`${dir}/app.json`, '{"a":1}');
    await until(() => checked.has("app.json"), "a check of app.json after the rewrite");
    deepStrictEqual([...changed], []);
    deepStrictEqual(restarted(), []);
  }));

Deno.test("an editor replacing the file by rename is seen", () =>
  withProbe({ web: ["app.json"] }, async ({ dir, restarted }) => {
    await Deno.writeTextFile(`${dir}/.app.json.swp`, '{"a":3}');
    await Deno.rename(`${dir}/.app.json.swp`, `${dir}/app.json`);
    await until(() => restarted().length === 1, "the restart of web");
  }));

Deno.test("a depends file appearing, then disappearing, counts as a change each time", () =>
  withProbe({ web: ["later.json"] }, async ({ dir, restarted }) => {
    await Deno.writeTextFile(`${dir}/later.json`, "{}");
    await until(() => restarted().length === 1, "a restart when the file appears");
    await Deno.remove(`${dir}/later.json`);
    await until(() => restarted().length === 2, "a restart when the file disappears");
  }));

Deno.test("a file in a directory that does not exist yet is watched until it appears", () =>
  withProbe({ web: ["conf.d/site.json"] }, async ({ dir, probe, restarted }) => {
    deepStrictEqual(probe.watchedDirs(), [dir]);
    await Deno.mkdir(`${dir}/conf.d`);
    await until(() => probe.watchedDirs().includes(`${dir}/conf.d`), "a watcher on conf.d");
    await Deno.writeTextFile(`${dir}/conf.d/site.json`, "{}");
    await until(() => restarted().length === 1, "the restart of web");
  }));

Deno.test("jobs stopped on purpose are not restarted by a change", () =>
  withProbe(
    { web: ["app.json"], worker: ["app.json"], cron: ["app.json"] },
    async ({ dir, restarted, changed }) => {
      await Deno.writeTextFile(`${dir}/app.json`, "changed");
      await until(() => changed.has("app.json"), "the change of app.json");
      deepStrictEqual(restarted(), ["worker"]);
    },
    { web: "stopped", cron: "stopping" },
  ));

Deno.test("files dropped by a reload are no longer watched", () =>
  withProbe({ web: ["app.json"] }, async ({ dir, api, probe, restarted }) => {
    const reloaded = resolvedConfig([resolvedJob("web", ["sleep", "100"], { depends: [] })]);
    api.setConfig(reloaded);
    probe.apply(reloaded);
    await probe.ready();
    deepStrictEqual(probe.watchedDirs(), []);
    await Deno.writeTextFile(`${dir}/app.json`, "changed");
    // Nothing is watched any more, so no check can be waited for: give a change time to show.
    await new Promise((r) => setTimeout(r, 300));
    deepStrictEqual(restarted(), []);
  }));

Deno.test("fingerprint is a SHA-256 of the content, null for a missing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/f`, "abc");
    equal(
      await fingerprint(`${dir}/f`),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    equal(await fingerprint(`${dir}/missing`), null);
    match(String(await fingerprint(dir)), /^unreadable: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
