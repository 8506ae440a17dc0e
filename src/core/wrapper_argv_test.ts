import { deepStrictEqual, equal } from "node:assert/strict";
import { prlimitFlags, type Ulimits, wrapArgv, type WrapperTools } from "./wrapper_argv.ts";

const none: Ulimits = { nofile: null, nproc: null, core: null, memlock: null, stack: null };

function tools(setsid: string | null, prlimit: string | null) {
  let asked = 0;
  const t: WrapperTools = {
    setsid,
    findPrlimit: () => {
      asked++;
      return prlimit;
    },
  };
  return { t, asked: () => asked };
}

Deno.test("prlimitFlags writes each set limit as soft:hard, infinity as unlimited", () => {
  deepStrictEqual(prlimitFlags(none), []);
  deepStrictEqual(prlimitFlags({ ...none, nofile: 4096, core: "infinity", stack: 0 }), [
    "--nofile=4096:4096",
    "--core=unlimited:unlimited",
    "--stack=0:0",
  ]);
});

Deno.test("wrapArgv puts setsid in front and looks prlimit up only for a job with limits", () => {
  const plain = tools("/usr/bin/setsid", "/usr/bin/prlimit");
  deepStrictEqual(wrapArgv(["/bin/app", "-x"], none, plain.t), {
    ok: true,
    argv: ["/usr/bin/setsid", "/bin/app", "-x"],
  });
  equal(plain.asked(), 0, "no prlimit lookup without limits");
  const limited = tools("/usr/bin/setsid", "/usr/bin/prlimit");
  deepStrictEqual(wrapArgv(["/bin/app"], { ...none, nproc: 64 }, limited.t), {
    ok: true,
    argv: ["/usr/bin/setsid", "/usr/bin/prlimit", "--nproc=64:64", "--", "/bin/app"],
  });
  equal(limited.asked(), 1);
});

Deno.test("wrapArgv without setsid runs the command itself (spawned detached instead)", () => {
  deepStrictEqual(wrapArgv(["/bin/app"], none, tools(null, null).t), {
    ok: true,
    argv: ["/bin/app"],
  });
  deepStrictEqual(wrapArgv(["/bin/app"], { ...none, memlock: 1 }, tools(null, "/p").t), {
    ok: true,
    argv: ["/p", "--memlock=1:1", "--", "/bin/app"],
  });
});

Deno.test("wrapArgv names prlimit when a job has limits and it is not installed", () => {
  deepStrictEqual(wrapArgv(["/bin/app"], { ...none, nofile: 10 }, tools("/s", null).t), {
    ok: false,
    missing: "prlimit",
  });
});
