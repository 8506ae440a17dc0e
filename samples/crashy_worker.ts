/**
 * A worker that does "work" every half second and crashes now and then, so
 * the example config shows sup restarting it: most runs die after a few
 * seconds with exit code 1 (and a reason on stderr). With `QUIT_ODDS=0.2`,
 * one run in five exits with code 33 instead: pmtr's "do not restart me".
 *
 * Run: deno run --allow-env samples/crashy_worker.ts
 */

const lifetimeMs = 2_000 + Math.random() * 6_000;
const started = Date.now();
let jobs = 0;

console.log(`worker ${Deno.pid} starting; will crash in ${(lifetimeMs / 1000).toFixed(1)}s`);
const timer = setInterval(() => {
  jobs++;
  console.log(`processed job #${jobs}`);
  if (Date.now() - started < lifetimeMs) return;
  clearInterval(timer);
  if (Math.random() < Number(Deno.env.get("QUIT_ODDS") ?? 0)) {
    console.error("nothing left to do: exiting with 33 (do not restart)");
    Deno.exit(33);
  }
  console.error(`Error: lost connection to the queue after ${jobs} jobs`);
  Deno.exit(1);
}, 500);
