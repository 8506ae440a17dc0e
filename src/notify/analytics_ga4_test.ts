import { deepStrictEqual, equal } from "node:assert/strict";
import { ga4Event, ga4EventName, ga4Url } from "./analytics_ga4.ts";

Deno.test("GA4 event names follow GA4's rules", () => {
  const cases: [string, string][] = [
    ["tap", "tap"],
    ["video play", "video_play"],
    ["Scene/Start!", "Scene_Start_"],
    ["3d-view", "app_3d_view"],
    ["", "app_event"],
    ["   ", "app_event"],
    ["error", "app_error"], // reserved
    ["session_start", "app_session_start"],
    ["_private", "app_private"], // reserved prefix
    ["firebase_x", "app_firebase_x"],
    ["GA_hit", "app_GA_hit"],
    ["gtag.config", "gtag_config"], // "gtag." is reserved; "gtag_" is not
    ["x".repeat(50), "x".repeat(40)],
    ["héllo wörld", "h_llo_w_rld"],
  ];
  deepStrictEqual(cases.map(([action]) => ga4EventName(action)), cases.map(([, name]) => name));
  for (const [, name] of cases) {
    equal(/^[A-Za-z][A-Za-z0-9_]{0,39}$/.test(name), true, name);
  }
});

Deno.test("an app event becomes a GA4 event with category, label, value, job and its time", () => {
  const at = Date.UTC(2026, 11, 2, 10, 0, 0);
  deepStrictEqual(
    ga4Event({
      type: "app.event",
      job: "kiosk",
      category: "touch",
      action: "tap",
      label: "y".repeat(150),
      value: 2,
      at,
    }, "1764669600"),
    {
      name: "tap",
      params: {
        event_category: "touch",
        event_label: "y".repeat(100),
        value: 2,
        job: "kiosk",
        session_id: "1764669600",
        engagement_time_msec: 1,
      },
      timestamp_micros: at * 1000,
    },
  );
  const bare = ga4Event({
    type: "app.event",
    job: null,
    category: "c",
    action: "a",
    label: null,
    value: null,
    at,
  }, "1");
  deepStrictEqual(Object.keys(bare.params), [
    "event_category",
    "session_id",
    "engagement_time_msec",
  ]);
});

Deno.test("the collect URL carries the measurement ID and the API secret", () => {
  equal(
    ga4Url("https://www.google-analytics.com/mp/collect", "G-ABC1234", "s3 cret"),
    "https://www.google-analytics.com/mp/collect?measurement_id=G-ABC1234&api_secret=s3+cret",
  );
});
