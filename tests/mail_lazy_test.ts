/**
 * What a config does not use costs nothing: the modules `sup run` loads at
 * start (the run command's static imports, followed transitively; main.ts
 * imports each command's module only when that command runs) hold no mail
 * code (the SMTP client, the MIME composer); they are reached only through dynamic imports
 * (the mail component, the built-in listeners, `sup notify test`).
 */
import { deepStrictEqual, ok } from "node:assert/strict";

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  npmPackage?: string;
}

Deno.test("sup's static module graph holds no mail code (no SMTP client, no MIME composer)", async () => {
  const root = new URL("../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "src/cli/run.ts"],
    cwd: root.pathname,
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(120_000),
  }).output();
  ok(out.success, new TextDecoder().decode(out.stderr));
  const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: InfoModule[];
    redirects: Record<string, string>;
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const start = new URL("src/cli/run.ts", root).href;
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length > 0) {
    const specifier = stack.pop()!;
    const resolved = info.redirects[specifier] ?? specifier;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    for (const dep of bySpecifier.get(resolved)?.dependencies ?? []) {
      if (dep.code && !dep.isDynamic) stack.push(dep.code.specifier);
    }
  }
  ok(seen.size > 50, `walked ${seen.size} modules`);
  const mail = [...seen].filter((s) =>
    /nodemailer|smtp-server|\/notify\/(mail_(notifier|transport|component|queue|address)|mime_|smtp_|crash|log_mail\.ts|screenshots)/
      .test(s)
  );
  deepStrictEqual(mail, []);
});
