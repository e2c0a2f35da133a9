/**
 * Cookies as a layer below the redirects: each hop gets the `Cookie` header
 * its URL is owed (the caller's own value first, then the jar's), and every
 * `Set-Cookie` a hop receives is stored before the next hop is sent, so a
 * cookie set by a redirect reaches the next hop, and only where RFC 6265
 * allows. A request without a cookie store passes straight through.
 *
 * @module
 */

import type { CoreRequest, Dispatch, Layer, RequestEvents } from "./request.ts";

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
  const cookies = request.cookies;
  if (!cookies) return next(request, events);
  const pending = cookies.cookieHeader(request.url);
  // An empty or in-memory jar answers at once: no extra promise hop on the common path.
  if (typeof pending === "string") {
    return next(withCookie(request, pending), storing(request, events));
  }
  return pending.then((stored) => next(withCookie(request, stored), storing(request, events)));
};

/** `request` with the jar's cookies after the caller's own `Cookie` value. */
function withCookie(request: CoreRequest, stored: string): CoreRequest {
  if (!stored) return request;
  const own = request.headers.get("cookie");
  const headers = new Headers(request.headers);
  headers.set("cookie", own ? `${own}; ${stored}` : stored);
  return { ...request, headers };
}

/**
 * The events of the hop: each `Set-Cookie` is stored before the head is
 * reported, as a browser does, so listeners and the next hop see it.
 */
function storing(request: CoreRequest, events: RequestEvents): RequestEvents {
  const cookies = request.cookies!;
  return {
    ...events,
    onHeaders(head) {
      const setCookies = head.headers.getSetCookie();
      if (setCookies.length === 0) return events.onHeaders?.(head);
      return cookies.store(request.url, setCookies).then(() => events.onHeaders?.(head));
    },
  };
}
