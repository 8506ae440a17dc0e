import { equal, match, ok } from "node:assert/strict";
import { resolvedConfig, resolvedJob } from "../testing/resolved_job.ts";
import {
  quoteArgument,
  renderUnit,
  stopTimeoutSeconds,
  unitName,
  unitPath,
} from "./service_unit.ts";

Deno.test("stop timeout follows the longest after-chain of kill timeouts, plus sup's waits and a margin", () => {
  const job = (name: string, killTimeoutMs: number, after: string[] = []) =>
    resolvedJob(name, ["x"], { killTimeoutMs, after });
  // db ← api ← web (web stops first, then api, then db): 3 + 4 + 5 s, each + 2 s slack.
  const config = resolvedConfig([
    job("db", 3_000),
    job("api", 4_000, ["db"]),
    job("web", 5_000, ["api"]),
    job("solo", 20_000),
  ]);
  equal(stopTimeoutSeconds(config), Math.ceil((22_000 + 7_000) / 1000) + 10);
  equal(stopTimeoutSeconds(resolvedConfig([job("a", 5_000)])), 7 + 7 + 10);
  equal(stopTimeoutSeconds(resolvedConfig([])), 7 + 10);
});

Deno.test("a system unit: KillMode=mixed, Restart=on-failure, the stop timeout, multi-user.target", () => {
  const text = renderUnit({
    name: "sup-kiosk",
    config: "/opt/kiosk/sup.config.ts",
    mode: "prod",
    command: ["/usr/local/bin/sup"],
    user: false,
    stopTimeoutSeconds: 24,
    environment: { PATH: "/usr/local/bin:/usr/bin" },
  });
  match(text, /^ExecStart=\/usr\/local\/bin\/sup run \/opt\/kiosk\/sup.config.ts prod$/m);
  match(text, /^WorkingDirectory=\/opt\/kiosk$/m);
  match(text, /^KillMode=mixed$/m);
  match(text, /^Restart=on-failure$/m);
  match(text, /^TimeoutStopSec=24s$/m);
  match(text, /^Type=exec$/m);
  match(text, /^Environment=PATH=\/usr\/local\/bin:\/usr\/bin$/m);
  match(text, /^After=network-online.target$/m);
  match(text, /^WantedBy=multi-user.target$/m);
});

Deno.test("a user unit wants default.target and no network-online.target", () => {
  const text = renderUnit({
    name: "sup-x",
    config: "/home/a/x.ts",
    command: ["/usr/bin/deno", "run", "-A", "/src/main.ts"],
    user: true,
    stopTimeoutSeconds: 20,
  });
  match(text, /^WantedBy=default.target$/m);
  ok(!text.includes("network-online"));
  match(text, /^ExecStart=\/usr\/bin\/deno run -A \/src\/main.ts run \/home\/a\/x.ts$/m);
});

Deno.test("ExecStart words escape systemd's specifiers, variables and quotes", () => {
  equal(quoteArgument("/opt/a b/c.ts"), '"/opt/a b/c.ts"');
  equal(quoteArgument("100%"), "100%%");
  equal(quoteArgument("$HOME"), "$$HOME");
  equal(quoteArgument('say "hi"'), '"say \\"hi\\""');
  equal(quoteArgument(""), '""');
});

Deno.test("unit names and paths", () => {
  equal(unitName("kiosk"), "sup-kiosk");
  equal(unitName("my app/1"), "sup-my-app-1");
  equal(unitPath("sup-k", false), "/etc/systemd/system/sup-k.service");
  const env = (vars: Record<string, string>) => (key: string) => vars[key];
  equal(
    unitPath("sup-k", true, env({ HOME: "/home/a" })),
    "/home/a/.config/systemd/user/sup-k.service",
  );
  equal(
    unitPath("sup-k", true, env({ HOME: "/h", XDG_CONFIG_HOME: "/cfg" })),
    "/cfg/systemd/user/sup-k.service",
  );
});
