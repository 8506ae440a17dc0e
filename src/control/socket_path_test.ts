import { equal, ok } from "node:assert/strict";
import type { ResolvedConfig } from "../config/resolved.ts";
import { pathHash } from "../config/resolved_control.ts";
import { socketPath } from "./socket_path.ts";

const config = (source: string, name: string | null) =>
  ({
    source,
    network: { name, socket: { path: null, mode: 0o600, gid: null } },
  }) as unknown as ResolvedConfig;

Deno.test("the control socket is <name>.sock beside the state file", () => {
  equal(
    socketPath(config("/opt/kiosk/config.ts", "kiosk"), "/run/sup/kiosk.json"),
    "/run/sup/kiosk.sock",
  );
});

Deno.test("a socket name that would pass 107 bytes is shortened to the config path's hash", () => {
  const folder = `/tmp/${"f".repeat(70)}`;
  const source = `/srv/${"a-long-exhibit-name".repeat(2)}/config.ts`;
  const path = socketPath(config(source, "an-exhibit-with-a-rather-long-name"), `${folder}/s.json`);
  equal(path, `${folder}/${pathHash(source)}.sock`);
  ok(path!.length <= 107, `${path!.length} bytes`);
});
