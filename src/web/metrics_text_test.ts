import { equal } from "node:assert/strict";
import { escapeLabel, formatValue, renderMetrics } from "./metrics_text.ts";

Deno.test("families are written as HELP, TYPE and one line per sample", () => {
  equal(
    renderMetrics([
      {
        name: "sup_job_up",
        type: "gauge",
        help: "1 while it runs",
        samples: [{ labels: { name: "web" }, value: 1 }, { labels: { name: "db" }, value: 0 }],
      },
      { name: "sup_job_restarts_total", type: "counter", help: "Restarts", samples: [] },
      { name: "sup_uptime_seconds", type: "gauge", help: "Uptime", samples: [{ value: 1.5 }] },
    ]),
    [
      "# HELP sup_job_up 1 while it runs",
      "# TYPE sup_job_up gauge",
      'sup_job_up{name="web"} 1',
      'sup_job_up{name="db"} 0',
      "# HELP sup_job_restarts_total Restarts",
      "# TYPE sup_job_restarts_total counter",
      "# HELP sup_uptime_seconds Uptime",
      "# TYPE sup_uptime_seconds gauge",
      "sup_uptime_seconds 1.5",
      "",
    ].join("\n"),
  );
  equal(renderMetrics([]), "");
});

Deno.test("label values escape backslash, quote and newline; help escapes backslash and newline", () => {
  equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  equal(escapeLabel("plain-name_1.x"), "plain-name_1.x");
  const text = renderMetrics([{
    name: "sup_notifications_sent_total",
    type: "counter",
    help: 'Sent\nby "notifier" \\',
    samples: [{ labels: { notifier: 'mail "ops"' }, value: 2 }],
  }]);
  equal(text.split("\n")[0], '# HELP sup_notifications_sent_total Sent\\nby "notifier" \\\\');
  equal(text.split("\n")[2], 'sup_notifications_sent_total{notifier="mail \\"ops\\""} 2');
});

Deno.test("values are Go-style floats", () => {
  equal(formatValue(NaN), "NaN");
  equal(formatValue(Infinity), "+Inf");
  equal(formatValue(-Infinity), "-Inf");
  equal(formatValue(1e21), "1e+21");
  equal(formatValue(0.25), "0.25");
});
