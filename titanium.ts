/**
 * `Network`: Titanium's `Ti.Network` on Deno. This version carries only the
 * constants and URL helpers; `HTTPClient` and the cookie API come with the
 * Network issue.
 *
 * ```ts
 * import { Network } from "@netstack/http/titanium";
 * console.assert(Network.PROGRESS_UNKNOWN === -1);
 * ```
 *
 * @module
 */

/**
 * The `Ti.Network` namespace (constants and URL helpers so far).
 *
 * @example Usage
 * ```ts
 * import { Network } from "@netstack/http";
 * console.assert(Network.encodeURIComponent("a b") === "a%20b");
 * ```
 */
export const Network: {
  readonly apiName: "Ti.Network";
  readonly PROGRESS_UNKNOWN: -1;
  encodeURIComponent(value: string): string;
  decodeURIComponent(value: string): string;
} = {
  apiName: "Ti.Network",
  PROGRESS_UNKNOWN: -1,
  encodeURIComponent: (value) => encodeURIComponent(value),
  decodeURIComponent: (value) => decodeURIComponent(value),
};
