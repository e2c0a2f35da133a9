/**
 * `Ti.Network` on Deno: Titanium's `HTTPClient`, cookie API and network
 * status, on the same core pipeline as `http`. A Titanium app written
 * against `@types/titanium` ports by adding one import line:
 * `import { Ti } from "@netstack/http";` (or `Titanium`, its alias).
 *
 * ```ts
 * import { Ti } from "@netstack/http/titanium";
 * import assert from "node:assert/strict";
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => Response.json({ ok: true }),
 * );
 * const xhr: Ti.Network.HTTPClient = Ti.Network.createHTTPClient({
 *   onload() {
 *     assert.equal(JSON.parse(this.responseText).ok, true);
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

import * as Ti from "./src/titanium/ti.ts";

export { Ti, Ti as Titanium };
export { Network, type NetworkChangeEvent } from "./src/titanium/network.ts";
export type { DownloadedFile, TiBlob } from "./src/titanium/blob.ts";
export type { Cookie, CookieFields, CookieProperties } from "./src/titanium/cookies.ts";
export type { Getters, Setters } from "./src/titanium/accessors.ts";
export type {
  DataStreamEvent,
  FailureResponse,
  FileLike,
  HTTPClient,
  HTTPClientCallback,
  HTTPClientEvent,
  HTTPClientFields,
  HTTPClientProperties,
  ReadyStateChangeEvent,
  RetryOptions,
  SecurityManager,
  SendData,
  SendStreamEvent,
  SuccessResponse,
} from "./src/titanium/http_client.ts";
export type { Document, Element, Node, NodeList } from "./src/titanium/response_xml.ts";
