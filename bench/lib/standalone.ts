/**
 * Runs benchmarks with a context that is always cleaned up: on normal end,
 * on error and on SIGINT/SIGTERM every process started is ended by pid and
 * the temp dir removed (unless --keep).
 *
 * @module
 */

import { closeClock } from "./clock.ts";
import { type BenchContext, createContext, parseOptions } from "./context.ts";

/**
 * Creates a context from `Deno.args` (with `only` as the default `--only`),
 * runs `body`, cleans up, and returns what `body` returned.
 */
export async function withContext<T>(
  args: string[],
  body: (ctx: BenchContext) => Promise<T>,
): Promise<T> {
  const options = parseOptions(args);
  const ctx = await createContext(options);
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    ctx.log("interrupted: ending every process this run started");
    ctx.cleanup().finally(async () => {
      if (!options.keep) await Deno.remove(ctx.tmp, { recursive: true }).catch(() => {});
      Deno.exit(130);
    });
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onSignal);
  try {
    return await body(ctx);
  } finally {
    await ctx.cleanup();
    for (const s of signals) Deno.removeSignalListener(s, onSignal);
    if (options.keep) ctx.log(`kept ${ctx.tmp}`);
    else await Deno.remove(ctx.tmp, { recursive: true }).catch(() => {});
    closeClock();
  }
}

/** Entry of a single benchmark file: runs it and prints its result as JSON. */
export async function standalone<T>(
  only: string[],
  body: (ctx: BenchContext) => Promise<T>,
): Promise<void> {
  const args = Deno.args.some((a) => a.startsWith("--only")) ? Deno.args : [
    ...Deno.args,
    `--only=${only.join(",")}`,
  ];
  const result = await withContext(args, body);
  console.log(JSON.stringify(result, null, 2));
}
