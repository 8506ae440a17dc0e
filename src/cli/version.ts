/**
 * sup's version, from deno.json (imported as JSON, so the compiled binary
 * carries it).
 *
 * @module
 */

import denoJson from "../../deno.json" with { type: "json" };

/** The version of this sup. */
export const VERSION: string = denoJson.version;
