/**
 * `Network`: Titanium's `Ti.Network` on Deno: `HTTPClient` and the cookie
 * API, on the same core pipeline as `http`. Titanium code ports by changing
 * its import line (`const Ti = { Network };`).
 *
 * ```ts
 * import { Network } from "@netstack/http/titanium";
 * import assert from "node:assert/strict";
 * const Ti = { Network };
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => Response.json({ ok: true }),
 * );
 * const xhr = Ti.Network.createHTTPClient({
 *   onload() {
 *     assert.equal(this.responseDictionary?.ok, true);
 *   },
 *   onerror(e) {
 *     throw new Error(`${e.code}: ${e.error}`);
 *   },
 * });
 * xhr.open("GET", `http://127.0.0.1:${server.addr.port}/`);
 * await xhr.send();
 * ```
 *
 * @module
 */

import * as Network from "./src/titanium/network.ts";

export { Network };
export type { Cookie, CookieProperties } from "./src/titanium/cookies.ts";
export type {
  DataStreamEvent,
  Document,
  FailureResponse,
  HTTPClient,
  HTTPClientCallback,
  HTTPClientEvent,
  HTTPClientProperties,
  ReadyStateChangeEvent,
  SendData,
  SendStreamEvent,
  SuccessResponse,
} from "./src/titanium/network.ts";
