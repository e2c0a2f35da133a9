/**
 * The `Network` namespace: what `Ti.Network` offers for HTTP, values and
 * types, so `Network.createHTTPClient()` and `let c: Network.HTTPClient`
 * both work. Porting Titanium code takes one line: `const Ti = { Network };`.
 *
 * @module
 */

import * as cookies from "./cookies.ts";
import { HTTPClient } from "./http_client.ts";
import type { HTTPClientProperties } from "./http_client.ts";

// `export *` (not `export { … } from`): `deno doc` lists a namespace's re-exports only this way,
// and the cookie functions are declared below, where the namespace's documentation shows them.
export * from "./http_client.ts";
export type { Document } from "./response_xml.ts";

/**
 * A cookie of the shared jar, or one to add to it: `name`, `value`,
 * `domain`, `path`, `secure`, `httponly`, `expiryDate`, `maxAge`… and
 * `isValid()`. Create it with {@linkcode createCookie}.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * const cookie: Network.Cookie = Network.createCookie({ name: "a", value: "1", domain: "127.0.0.1" });
 * console.assert(cookie.isValid() && cookie.path === "/");
 * ```
 */
export type Cookie = cookies.Cookie;
/** The class of {@linkcode createCookie}'s cookies (see the type of the same name). */
export const Cookie: typeof cookies.Cookie = cookies.Cookie;

/**
 * What {@linkcode createCookie} and {@linkcode addHTTPCookie} accept: the
 * properties of a {@linkcode Cookie}.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * const props: Network.CookieProperties = { name: "a", value: "1", domain: ".example.test" };
 * console.assert(Network.createCookie(props).domain === ".example.test");
 * ```
 */
export type CookieProperties = cookies.CookieProperties;

/**
 * Adds a cookie to the jar every `HTTPClient` shares; it is sent with every
 * matching request. An invalid cookie is ignored; an expired one removes the
 * stored cookie of the same domain, path and name.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addHTTPCookie({ name: "theme", value: "dark", domain: "127.0.0.1" });
 * console.assert(Network.getHTTPCookies("127.0.0.1", "/", "theme").length === 1);
 * Network.removeHTTPCookie("127.0.0.1", "/", "theme");
 * ```
 */
export const addHTTPCookie: (cookie: Cookie | CookieProperties) => void = cookies.addHTTPCookie;

/**
 * The cookies the jar would send to `domain` under `path` (RFC 6265 domain
 * and path matching) named `name`; a `null` or empty path or name matches
 * any. Always an array, empty when nothing matches.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addHTTPCookie({ name: "a", value: "1", domain: ".example.test", path: "/docs" });
 * console.assert(Network.getHTTPCookies("www.example.test", "/docs/intro", "a").length === 1);
 * Network.removeHTTPCookiesForDomain("example.test");
 * ```
 */
export const getHTTPCookies: (
  domain: string,
  path: string | null,
  name: string | null,
) => Cookie[] = cookies.getHTTPCookies;

/**
 * Every cookie the jar would send to `domain`, whatever its path; an empty
 * array when none.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Array.isArray(Network.getHTTPCookiesForDomain("nothing.test")));
 * ```
 */
export const getHTTPCookiesForDomain: (domain: string) => Cookie[] =
  cookies.getHTTPCookiesForDomain;

/**
 * Removes the cookies {@linkcode getHTTPCookies} returns for the same arguments.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addHTTPCookie({ name: "x", value: "1", domain: "127.0.0.1" });
 * Network.removeHTTPCookie("127.0.0.1", "/", "x");
 * console.assert(Network.getHTTPCookies("127.0.0.1", "/", "x").length === 0);
 * ```
 */
export const removeHTTPCookie: (domain: string, path: string | null, name: string | null) => void =
  cookies.removeHTTPCookie;

/**
 * Removes every cookie the jar would send to `domain`.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.addHTTPCookie({ name: "x", value: "1", domain: ".example.test" });
 * Network.removeHTTPCookiesForDomain("example.test");
 * console.assert(Network.getHTTPCookiesForDomain("example.test").length === 0);
 * ```
 */
export const removeHTTPCookiesForDomain: (domain: string) => void =
  cookies.removeHTTPCookiesForDomain;

/**
 * Empties the jar every `HTTPClient` shares.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * Network.removeAllHTTPCookies();
 * ```
 */
export const removeAllHTTPCookies: () => void = cookies.removeAllHTTPCookies;

/**
 * `"Ti.Network"`.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.apiName === "Ti.Network");
 * ```
 */
export const apiName = "Ti.Network" as const;

/**
 * The `progress` of `ondatastream` while the body length is unknown: -1.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.PROGRESS_UNKNOWN === -1);
 * ```
 */
export const PROGRESS_UNKNOWN: -1 = -1;

/**
 * `tlsVersion` value for TLS 1.0 (Android's 1). Deno never speaks less than
 * TLS 1.2, so this is satisfied by 1.2 or 1.3.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * const xhr = Network.createHTTPClient({ tlsVersion: Network.TLS_VERSION_1_0 });
 * console.assert(xhr.tlsVersion === 1);
 * ```
 */
export const TLS_VERSION_1_0 = 1 as const;

/**
 * `tlsVersion` value for TLS 1.1 (Android's 2); satisfied by TLS 1.2 or 1.3.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.TLS_VERSION_1_1 === 2);
 * ```
 */
export const TLS_VERSION_1_1 = 2 as const;

/**
 * `tlsVersion` value for TLS 1.2 (Android's 3); Deno negotiates 1.2 or 1.3.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.TLS_VERSION_1_2 === 3);
 * ```
 */
export const TLS_VERSION_1_2 = 3 as const;

/**
 * `tlsVersion` value for TLS 1.3 (Android's 4). Deno cannot refuse TLS 1.2
 * for one request, so https requests with this setting end in `onerror`.
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.TLS_VERSION_1_3 === 4);
 * ```
 */
export const TLS_VERSION_1_3 = 4 as const;

/**
 * Creates an {@linkcode HTTPClient} with the given settings and callbacks.
 *
 * @param props settings and callbacks, as if assigned one by one
 * @returns a new client, `UNSENT`
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * import assert from "node:assert/strict";
 * await using server = Deno.serve(
 *   { hostname: "127.0.0.1", port: 0, onListen() {} },
 *   () => new Response("hi", { headers: { "content-type": "text/plain" } }),
 * );
 * const states: number[] = [];
 * const xhr = Network.createHTTPClient({
 *   onreadystatechange(e) {
 *     states.push(e.readyState);
 *   },
 * });
 * xhr.open("GET", `http://127.0.0.1:${server.addr.port}/`);
 * await xhr.send();
 * assert.deepEqual(states, [1, 2, 3, 4]);
 * assert.equal(xhr.responseText, "hi");
 * ```
 */
export function createHTTPClient(props?: HTTPClientProperties): HTTPClient {
  return new HTTPClient(props);
}

/**
 * Creates a {@linkcode Cookie} to add with {@linkcode addHTTPCookie}.
 *
 * @param props the cookie's properties
 * @returns a new cookie (path `"/"` unless given)
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * const cookie = Network.createCookie({ name: "a", value: "1", domain: "127.0.0.1" });
 * console.assert(cookie.isValid());
 * ```
 */
export function createCookie(props?: CookieProperties): Cookie {
  return new Cookie(props);
}

/**
 * Percent-encodes a URI component, as the global function does.
 *
 * @param value the text
 * @returns the encoded text
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.encodeURIComponent("a b:") === "a%20b%3A");
 * ```
 */
export function encodeURIComponent(value: string): string {
  return globalThis.encodeURIComponent(value);
}

/**
 * Decodes a percent-encoded URI component, as the global function does.
 *
 * @param value the encoded text
 * @returns the decoded text
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.decodeURIComponent("a%20b%3A") === "a b:");
 * ```
 */
export function decodeURIComponent(value: string): string {
  return globalThis.decodeURIComponent(value);
}
