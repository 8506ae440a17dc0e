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
