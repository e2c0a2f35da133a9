/**
 * Cookies as a layer below the redirects: each hop gets the `Cookie` header
 * its URL is owed (the caller's own value first, then the jar's), and every
 * `Set-Cookie` a hop receives is stored before the next hop is sent, so a
 * cookie set by a redirect reaches the next hop, and only where RFC 6265
 * allows. A request without a cookie store passes straight through.
 *
 * @module
 */

import type { CoreRequest, CoreResult, Dispatch, Layer, RequestEvents } from "./request.ts";

/**
 * The cookie layer.
 *
 * @example Usage
 * ```ts
 * import { cookieLayer } from "./cookie_layer.ts";
 * import type { Dispatch } from "./request.ts";
 * const below: Dispatch = () => Promise.reject(new Error("not sent in this example"));
 * const dispatch: Dispatch = cookieLayer(below);
 * ```
 */
export const cookieLayer: Layer = (next: Dispatch): Dispatch => (request, events) => {
  if (!request.cookies) return next(request, events);
  return withCookies(request, events, next);
};

async function withCookies(
  request: CoreRequest,
  events: RequestEvents,
  next: Dispatch,
): Promise<CoreResult> {
  const cookies = request.cookies!;
  const pending = cookies.cookieHeader(request.url);
  const stored = typeof pending === "string" ? pending : await pending;
  let sent = request;
  if (stored) {
    const own = request.headers.get("cookie");
    const headers = new Headers(request.headers);
    headers.set("cookie", own ? `${own}; ${stored}` : stored);
    sent = { ...request, headers };
  }
  // Stored before the head is reported, as a browser does: listeners and the next hop see them.
  const hop: RequestEvents = {
    ...events,
    onHeaders(head) {
      const setCookies = head.headers.getSetCookie();
      if (setCookies.length === 0) return events.onHeaders?.(head);
      return cookies.store(request.url, setCookies).then(() => events.onHeaders?.(head));
    },
  };
  return await next(sent, hop);
}
