import { deepStrictEqual } from "node:assert/strict";
import { supEnvironment } from "./sup_env.ts";

Deno.test("jobs learn where sup's channels are, as a local app reaches them", () => {
  deepStrictEqual(
    supEnvironment({
      http: { host: "127.0.0.1", port: 8888 },
      websocket: { host: "0.0.0.0", port: 3001 },
      osc: { host: "::", port: 3002, appHost: "127.0.0.1", appPort: 3003 },
    }),
    {
      SUP_OSC_HOST: "::1",
      SUP_OSC_PORT: "3002",
      SUP_WS_URL: "ws://127.0.0.1:3001/app",
      SUP_HTTP_URL: "http://127.0.0.1:8888",
    },
  );
  deepStrictEqual(
    supEnvironment({
      http: { host: "::1", port: 1 },
      websocket: { host: "localhost", port: 2 },
      osc: { host: "10.0.0.5", port: 3, appHost: "127.0.0.1", appPort: 4 },
    }),
    {
      SUP_OSC_HOST: "10.0.0.5",
      SUP_OSC_PORT: "3",
      SUP_WS_URL: "ws://localhost:2/app",
      SUP_HTTP_URL: "http://[::1]:1",
    },
  );
});
