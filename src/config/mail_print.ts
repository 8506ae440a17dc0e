/**
 * The `mail` section and `logging.mail` / `logging.screenshots` as lines for
 * `sup check`, in the config's option names. A password is never shown:
 * only where it comes from.
 *
 * @module
 */

import type { ResolvedConfig } from "./resolved.ts";
import { formatDuration } from "./units.ts";

/** The mail block of `sup check` (empty when the config sends no mail). */
export function mailLines(config: ResolvedConfig): string[] {
  const mail = config.mail;
  if (!mail) return [];
  const t = mail.transport;
  const transport = t.kind === "sendmail" ? [`  sendmail           ${t.argv.join(" ")}`] : [
    `  smtp               ${t.host}:${t.port}${t.secure ? " (TLS)" : ""}, STARTTLS ${
      { required: "required", never: "never", offered: "when offered" }[t.starttls]
    }, timeout ${formatDuration(t.timeoutMs)}`,
    ...(t.user === null ? [] : [
      `  user               ${t.user}, password ${
        t.pass === null ? "none" : "env" in t.pass ? `from $${t.pass.env}` : "in the config"
      }`,
    ]),
    ...(t.ca === null ? [] : [`  ca                 ${t.ca}`]),
  ];
  const lines = [
    "",
    "mail",
    ...transport,
    `  from               ${mail.from}`,
    `  to                 ${mail.to.join(", ")}`,
    `  subjectPrefix      ${JSON.stringify(mail.subjectPrefix)}`,
    `  queue              ${mail.maxQueue} messages, backoff ${
      formatDuration(mail.backoffInitialMs)
    } to ${formatDuration(mail.backoffMaxMs)}, given up after ${
      formatDuration(mail.giveUpAfterMs)
    }`,
  ];
  const log = config.logging.mail;
  if (log) {
    lines.push(
      `  logging.mail       ${log.level} and above, every ${formatDuration(log.intervalMs)}${
        log.to ? ` to ${log.to.join(", ")}` : ""
      }`,
    );
  }
  const shots = config.logging.screenshots;
  if (shots) lines.push(`  screenshots        ${shots.command.join(" ")} → ${shots.file}`);
  return lines;
}
