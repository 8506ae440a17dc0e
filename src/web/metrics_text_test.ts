import { equal } from "node:assert/strict";
import { escapeLabel, formatValue, MetricsWriter } from "./metrics_text.ts";

Deno.test("families are written as HELP, TYPE and one line per sample", () => {
  const w = new MetricsWriter();
  w.family({ name: "sup_job_up", type: "gauge", help: "1 while it runs" });
  w.sample("sup_job_up").label("name", "web").value(1);
  w.sample("sup_job_up").label("name", "db").value(0);
  w.family({ name: "sup_job_restarts_total", type: "counter", help: "Restarts" });
  w.family({ name: "sup_job_state", type: "gauge", help: "State" });
  w.sample("sup_job_state").label("name", "web").label("state", "running").value(1);
  w.family({ name: "sup_uptime_seconds", type: "gauge", help: "Uptime" });
  w.sample("sup_uptime_seconds").value(1.5);
  equal(
    w.text(),
    [
      "# HELP sup_job_up 1 while it runs",
      "# TYPE sup_job_up gauge",
      'sup_job_up{name="web"} 1',
      'sup_job_up{name="db"} 0',
      "# HELP sup_job_restarts_total Restarts",
      "# TYPE sup_job_restarts_total counter",
      "# HELP sup_job_state State",
      "# TYPE sup_job_state gauge",
      'sup_job_state{name="web",state="running"} 1',
      "# HELP sup_uptime_seconds Uptime",
      "# TYPE sup_uptime_seconds gauge",
      "sup_uptime_seconds 1.5",
      "",
    ].join("\n"),
  );
  equal(new MetricsWriter().text(), "");
});

Deno.test("label values escape backslash, quote and newline; help escapes backslash and newline", () => {
  equal(escapeLabel('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  equal(escapeLabel("plain-name_1.x"), "plain-name_1.x");
  const w = new MetricsWriter();
  w.family({
    name: "sup_notifications_sent_total",
    type: "counter",
    help: 'Sent\nby "notifier" \\',
  });
  w.sample("sup_notifications_sent_total").label("notifier", 'mail "ops"\\\n').value(2);
  const lines = w.text().split("\n");
  equal(lines[0], '# HELP sup_notifications_sent_total Sent\\nby "notifier" \\\\');
  equal(lines[2], 'sup_notifications_sent_total{notifier="mail \\"ops\\"\\\\\\n"} 2');
});

Deno.test("non-ASCII label values and help are written as UTF-8, escaped", () => {
  const w = new MetricsWriter(256);
  w.family({ name: "x_total", type: "counter", help: "Zähler \\ für\nJobs" });
  w.sample("x_total").label("name", 'café "☕"\n').label("b", "ok").value(1);
  equal(
    w.text(),
    '# HELP x_total Zähler \\\\ für\\nJobs\n# TYPE x_total counter\nx_total{name="café \\"☕\\"\\n",b="ok"} 1\n',
  );
});

Deno.test("values are Go-style floats; whole numbers are written digit by digit", () => {
  equal(formatValue(NaN), "NaN");
  equal(formatValue(Infinity), "+Inf");
  equal(formatValue(-Infinity), "-Inf");
  equal(formatValue(1e21), "1e+21");
  equal(formatValue(0.25), "0.25");
  const values = [0, -0, 7, 10, -42, 123456789, 2 ** 53 - 1, 2 ** 53, 1e21, 0.1, -2.5, NaN];
  const w = new MetricsWriter(16); // grows as it goes
  for (const v of values) w.sample("v").value(v);
  equal(
    w.text(),
    values.map((v) => `v ${Object.is(v, -0) ? "0" : formatValue(v)}\n`).join(""),
  );
});

Deno.test("the buffer grows past its first size and keeps what was written", () => {
  const w = new MetricsWriter(256);
  const names = Array.from({ length: 2000 }, (_, i) => `job-${i}`);
  w.family({ name: "sup_job_up", type: "gauge", help: "Up" });
  for (const name of names) w.sample("sup_job_up").label("name", name).value(1);
  const text = w.text();
  equal(text.split("\n").length, names.length + 3);
  equal(text.split("\n")[2001], 'sup_job_up{name="job-1999"} 1');
  equal(w.bytes().byteLength, new TextEncoder().encode(text).byteLength);
});
