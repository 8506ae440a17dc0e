/**
 * The factories a config calls for built-in listeners (`httpok({...})`,
 * `crashmail({...})`, ...): each returns a plain descriptor
 * `{ kind: "<kind>", ...options }`, so the same listener can be written in
 * TOML or JSON (`[[listeners]] kind = "crashmail"`). `mod.ts` exports them
 * all. Each built-in's owner adds its factory here, with its options type
 * in its own file (`listener_<kind>.ts`), one block each.
 *
 * @module
 */

// issue 9: httpok, memmon (H2) ------------------------------------------------
import type { HttpokListener, HttpokOptions } from "./listener_httpok_types.ts";
import type { MemmonListener, MemmonOptions } from "./listener_memmon_types.ts";

/**
 * A built-in listener (superlance's httpok): GETs `url` every `interval`;
 * on a timeout, a wrong status or missing body text it restarts the
 * selected running jobs (after a core dump with `coreDir`) and notifies.
 * @example httpok({ url: "http://127.0.0.1:8080/", jobs: ["web"], timeout: "5s" })
 */
export function httpok(options: HttpokOptions): HttpokListener {
  return { kind: "httpok", ...options };
}

/**
 * A built-in listener (superlance's memmon): every `interval`, restarts the
 * running jobs whose memory is over their limit, and notifies.
 * @example memmon({ limits: { web: "200MB", "*": "1GB" }, cumulative: true })
 */
export function memmon(options: MemmonOptions): MemmonListener {
  return { kind: "memmon", ...options };
}
