import { deepStrictEqual, equal, ok } from "node:assert/strict";
import { fingerprint, JobSwitches, SWITCHES_SECTION, type SwitchStore } from "./job_switches.ts";
import { resolvedJob } from "../testing/resolved_job.ts";

class MemoryStore implements SwitchStore {
  sections: Record<string, unknown> = {};
  section(name: string): unknown {
    return this.sections[name];
  }
  setSection(name: string, value: unknown): void {
    this.sections[name] = structuredClone(value);
  }
}

const web = resolvedJob("web", ["sleep", "60"]);
const api = resolvedJob("api", ["sleep", "60"]);

Deno.test("a persisted switch-off is saved with the job's fingerprint and read back by the next sup", () => {
  const store = new MemoryStore();
  const first = new JobSwitches(store);
  ok(first.set(web, true, { by: "sup disable" }, 1000));
  equal(first.set(web, true, { by: "sup disable" }, 2000), false, "already off");
  deepStrictEqual(store.sections[SWITCHES_SECTION], {
    web: { enabled: false, by: "sup disable", at: 2000, config: fingerprint(web) },
  });
  const next = new JobSwitches(store);
  deepStrictEqual(next.reconcile([web, api]), []);
  equal(next.get("web")?.by, "sup disable");
  ok(next.isOff("web") && !next.isOff("api"));
});

Deno.test("a switch is lifted when the job's config changes or the job is removed", () => {
  const store = new MemoryStore();
  const switches = new JobSwitches(store);
  switches.set(web, true, { by: "sup disable" });
  switches.set(api, true, { by: "sup disable" });
  const changed = { ...web, env: { A: "1" } };
  const lifted = switches.reconcile([changed]);
  deepStrictEqual(lifted.map((l) => [l.job, l.why]), [["web", "changed"], ["api", "removed"]]);
  ok(!switches.isOff("web"));
  deepStrictEqual(store.sections[SWITCHES_SECTION], {});
});

Deno.test("a switch that does not persist is never written, and enable removes a persisted one", () => {
  const store = new MemoryStore();
  const switches = new JobSwitches(store);
  switches.set(web, true, { by: "udp 127.0.0.1:4000", persist: false });
  equal(store.sections[SWITCHES_SECTION], undefined);
  ok(switches.isOff("web"));
  switches.set(api, true, { by: "sup disable" });
  ok(switches.set(api, false, { by: "sup enable" }));
  equal(switches.set(api, false, { by: "sup enable" }), false, "already on");
  deepStrictEqual(store.sections[SWITCHES_SECTION], {});
  equal(new JobSwitches(store).isOff("web"), false, "gone with the sup that set it");
});

Deno.test("the fingerprint ignores key order and sees every field", () => {
  const reordered = Object.fromEntries(Object.entries(web).reverse()) as typeof web;
  equal(fingerprint(reordered), fingerprint(web));
  ok(fingerprint({ ...web, argv: ["other"] }) !== fingerprint(web));
});

Deno.test("garbage in the state file's section is ignored", () => {
  const store = new MemoryStore();
  store.sections[SWITCHES_SECTION] = { web: { by: 3 }, api: null, x: "y" };
  const switches = new JobSwitches(store);
  ok(!switches.isOff("web") && !switches.isOff("api"));
});

Deno.test("a job its config disables can be switched on, and back to what its config says", () => {
  const store = new MemoryStore();
  const switches = new JobSwitches(store);
  const off = resolvedJob("batch", ["true"], { disabled: true });
  ok(switches.disabled(off));
  ok(switches.set(off, false, { by: "udp 127.0.0.1:1", persist: false }));
  equal(switches.disabled(off), false, "switched on against its config");
  equal(switches.isOff("batch"), false);
  equal(switches.set(off, false, { by: "again" }), false, "already on");
  ok(switches.set(off, true, { by: "sup disable" }), "off again: the config decides");
  equal(switches.get("batch"), null);
  ok(switches.disabled(off));
});
