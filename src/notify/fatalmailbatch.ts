/**
 * `fatalmailbatch` (superlance's): every job that went `fatal` (it died
 * too often too quickly and sup gave up restarting it) within `interval`
 * of the first goes out in one mail, with sup's reason for each.
 *
 * @module
 */

import type { ResolvedMailListener } from "../config/listener_crash_types.ts";
import type { BuiltinFactory } from "./listener.ts";
import { batchListener } from "./crashmailbatch.ts";

/** Creates a fatalmailbatch listener. */
export const create: BuiltinFactory<ResolvedMailListener> = (settings, ctx) =>
  batchListener(
    settings,
    ctx,
    "job.fatal",
    (n) => n === 1 ? "1 job went fatal" : `${n} jobs went fatal`,
  );
