import { deepStrictEqual } from "node:assert/strict";
import { lazyComponent } from "./lazy_component.ts";
import type { ResolvedConfig } from "../config/resolved.ts";

Deno.test("a lazy component loads on the first config that needs it, then follows every config", async () => {
  const calls: string[] = [];
  let loads = 0;
  const component = lazyComponent((c) => c.source === "needs", () => {
    loads++;
    return Promise.resolve({
      apply: (c) => void calls.push(`apply ${c.source}`),
      close: () => void calls.push("close"),
    });
  });
  const config = (source: string) => ({ source }) as ResolvedConfig;
  await component.apply(config("plain"));
  deepStrictEqual([loads, calls], [0, []]);
  await component.apply(config("needs"));
  await component.apply(config("plain"));
  await component.close();
  deepStrictEqual([loads, calls], [1, ["apply needs", "apply plain", "close"]]);
});
