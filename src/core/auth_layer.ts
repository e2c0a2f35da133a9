/**
 * Server authentication as a layer: requests that carry `authentication`
 * for their own origin, without an `Authorization` header, go through
 * `auth_exchange.ts` (Basic, Digest, NTLM; loaded by the first of them);
 * every other request only passes through.
 *
 * @module
 */

import type { Dispatch, Layer } from "./request.ts";

/**
 * The layer. Without `authentication` on a request it only passes it on.
 *
 * @example Usage
 * ```ts
 * import { authLayer } from "./auth_layer.ts";
 * import type { Dispatch } from "./request.ts";
 * const below: Dispatch = () => Promise.reject(new Error("not sent in this example"));
 * const dispatch: Dispatch = authLayer(below);
 * ```
 */
export const authLayer: Layer = (next: Dispatch): Dispatch => (request, events) => {
  const credentials = request.authentication;
  if (
    !credentials || request.url.origin !== credentials.origin ||
    request.headers.has("authorization")
  ) {
    return next(request, events);
  }
  return import("./auth_exchange.ts").then(({ authenticate }) =>
    authenticate(request, events, credentials, next)
  );
};
