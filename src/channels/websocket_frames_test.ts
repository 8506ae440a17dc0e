import { deepStrictEqual as assertEquals, match as assertMatch } from "node:assert/strict";
import { parseFrame } from "./websocket_frames.ts";

Deno.test("valid frames parse to their app command and ref", () => {
  const cases: Array<[string, unknown, (string | number)?]> = [
    ['{"type":"heart"}', { type: "heartbeat", job: null }],
    ['{"type":"heart","job":"web"}', { type: "heartbeat", job: "web" }],
    [
      '{"type":"log","level":"WARNING","message":"low disk"}',
      { type: "log", job: null, level: "warning", message: "low disk" },
    ],
    [
      '{"type":"event","category":"ui","action":"tap","label":"start","value":3}',
      { type: "event", job: null, category: "ui", action: "tap", label: "start", value: 3 },
    ],
    [
      '{"type":"event","category":"ui","action":"tap"}',
      { type: "event", job: null, category: "ui", action: "tap", label: null, value: null },
    ],
    ['{"type":"restart"}', { type: "restart", job: null }],
    ['{"type":"configRequest","ref":7}', { type: "configRequest" }, 7],
    ['{"type":"message","to":"*","data":{"a":1}}', { type: "message", to: "*", args: [{ a: 1 }] }],
    ['{"type":"refresh","id":"a1"}', { type: "refresh", id: "a1" }],
    ['{"type":"unregister","id":"a1","ref":"x"}', { type: "unregister", id: "a1" }, "x"],
    [
      '{"type":"register","name":"kiosk","timeout":"10s","action":"kill","pid":42}',
      {
        type: "register",
        registration: {
          name: "kiosk",
          timeoutMs: 10_000,
          action: "kill",
          restartCommand: null,
          pid: 42,
        },
      },
    ],
  ];
  for (const [text, command, ref = null] of cases) {
    assertEquals(parseFrame(text), { ok: true, command, ref }, text);
  }
});

Deno.test("bad frames are refused with a reason naming the field", () => {
  const cases: Array<[string, RegExp]> = [
    ["not json", /not JSON/],
    ["[1,2]", /must be a JSON object/],
    ["null", /must be a JSON object/],
    ['{"type":"fly"}', /type: "fly" is not a frame type/],
    ['{"noType":1}', /type: undefined is not a frame type/],
    ['{"type":"log","level":3,"message":"x"}', /log\.level: 3/],
    ['{"type":"log","level":"info"}', /log\.message: undefined/],
    ['{"type":"event","category":"a","action":"b","value":"high"}', /event\.value: "high"/],
    ['{"type":"heart","job":5}', /job: 5/],
    ['{"type":"message","data":1}', /message\.to/],
    ['{"type":"refresh","id":12}', /refresh\.id: 12/],
    ['{"type":"register","name":"k","timeout":"soon","action":"restart"}', /register\.timeout/],
  ];
  for (const [text, pattern] of cases) {
    const result = parseFrame(text);
    if (result.ok) throw new Error(`${text} was accepted`);
    assertMatch(result.error, pattern, text);
  }
});

Deno.test("a frame over the size limit is refused before parsing", () => {
  const big = JSON.stringify({ type: "log", level: "info", message: "x".repeat(200) });
  const result = parseFrame(big, 100);
  assertEquals(result.ok, false);
  if (!result.ok) assertMatch(result.error, /over the 100 limit/);
});

Deno.test("an error keeps the ref so the app can match it to its request", () => {
  assertEquals(parseFrame('{"type":"unregister","ref":9}'), {
    ok: false,
    code: "bad-frame",
    error: "unregister.id: undefined is not an app id",
    ref: 9,
  });
});
