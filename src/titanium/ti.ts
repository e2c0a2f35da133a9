/**
 * `Ti` (also exported as `Titanium`): the namespace a Titanium app reads
 * its modules from. `Ti.Network` and `Ti.API` (logging) exist here;
 * `Ti.Network` works as values (`Ti.Network.createHTTPClient()`) and as
 * types (`let c: Ti.Network.HTTPClient`).
 *
 * @example Usage
 * ```ts
 * import { Ti } from "@netstack/http";
 * const client: Ti.Network.HTTPClient = Ti.Network.createHTTPClient({ timeout: 5_000 });
 * console.assert(client.apiName === "Ti.Network.HTTPClient");
 * ```
 *
 * @module
 */

export { Network } from "./network.ts";
export { API } from "./api.ts";
