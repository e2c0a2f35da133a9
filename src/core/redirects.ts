/**
 * Redirects as a layer: every hop of a redirect chain goes down the stack
 * as a request of its own (through the cache, the scheduler, the cookies and
 * the router), so each hop is counted, cached where allowed, and stripped of
 * credentials when it leaves the origin. The secure-redirect rules live here
 * and only here:
 *
 * - at most `maxRedirects` hops, then `TOO_MANY_REDIRECTS`;
 * - https → http is refused (`UNSUPPORTED_PROTOCOL`) unless `allowDowngrade`;
 * - only http and https targets;
 * - a hop to another origin drops `Authorization`, `Proxy-Authorization`
 *   and the caller's `Cookie` (the cookie layer adds the jar's own per hop);
 * - 303 turns any method but GET/HEAD into GET, 301/302 turn POST into GET,
 *   and the body and its headers are dropped with it.
 *
 * @module
 */

import { NetError } from "./errors.ts";
import type { CoreRequest, CoreResult, Dispatch, Layer, RequestEvents } from "./request.ts";

/** Headers that never follow a redirect to another origin. */
export const CROSS_ORIGIN_STRIPPED_HEADERS = [
  "authorization",
  "proxy-authorization",
  "cookie",
] as const;

const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language"];

/**
 * `true` when a response with `status` and `headers` is a hop the redirect
 * layer follows, not the answer: a redirect status with `Location`, for a
 * request that follows redirects at all.
 */
export function isFollowedRedirect(
  request: CoreRequest,
  status: number,
  headers: Headers,
): boolean {
  return request.maxRedirects > 0 && isRedirect(status) && headers.has("location");
}

/**
 * The redirect layer: follows the hops that the layers below report with
 * `final: false`, and returns the final result with the hop count and
 * `timing.redirect` (ms from the start until the last redirect was followed).
 *
 * @example Usage
 * ```ts
 * import { redirectLayer } from "./redirects.ts";
 * import type { Dispatch } from "./request.ts";
 * const below: Dispatch = () => Promise.reject(new Error("not sent in this example"));
 * const dispatch: Dispatch = redirectLayer(below);
 * ```
 */
export const redirectLayer: Layer = (next: Dispatch): Dispatch => (request, events) => {
  if (request.maxRedirects === 0) return next(request, events);
  // Most first answers are final: no async function unless a hop is followed.
  return next(request, events).then((result) =>
    result.head.final ? result : follow(request, events, next, result)
  );
};

/** Follows the chain that began with `hop`, the answer to `first`. */
async function follow(
  first: CoreRequest,
  events: RequestEvents,
  next: Dispatch,
  hop: CoreResult,
): Promise<CoreResult> {
  let request = first;
  let result = hop;
  let redirectAt = 0;
  for (let redirects = 0;; redirects++) {
    if (result.head.final) {
      result.timing.redirect = Math.round((redirectAt - first.startTime) * 1000) / 1000;
      return { ...result, redirects };
    }
    if (redirects >= first.maxRedirects) {
      throw new NetError("TOO_MANY_REDIRECTS", `more than ${first.maxRedirects} redirects`, {
        details: { limit: "redirects", max: first.maxRedirects, actual: redirects + 1 },
      });
    }
    request = nextHop(request, result.head.status, result.head.headers.get("location")!);
    redirectAt = performance.now();
    result = await next(request, events);
  }
}

/** The request for the hop `location` points at, after a `status` answer to `request`. */
export function nextHop(request: CoreRequest, status: number, location: string): CoreRequest {
  const url = request.url;
  const next = redirectTarget(location, url);
  if (url.protocol === "https:" && next.protocol === "http:" && !request.allowDowngrade) {
    throw new NetError(
      "UNSUPPORTED_PROTOCOL",
      `the redirect from https to http (${next.host}) was refused: a downgrade`,
      { details: { field: "allowDowngrade" } },
    );
  }
  const crossOrigin = next.origin !== url.origin;
  const toGet = changesToGet(status, request.method);
  let headers = request.headers;
  if (crossOrigin || toGet) headers = new Headers(headers);
  if (crossOrigin) { for (const name of CROSS_ORIGIN_STRIPPED_HEADERS) headers.delete(name); }
  if (toGet) { for (const name of BODY_HEADERS) headers.delete(name); }
  return {
    ...request,
    url: next,
    method: toGet ? "GET" : request.method,
    body: toGet ? null : request.body,
    headers,
  };
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** Per the Fetch standard: 303 becomes GET, and so does a POST after 301/302. */
function changesToGet(status: number, method: string): boolean {
  return (status === 303 && method !== "GET" && method !== "HEAD") ||
    ((status === 301 || status === 302) && method === "POST");
}

function redirectTarget(location: string, base: URL): URL {
  let next: URL;
  try {
    next = new URL(location, base);
  } catch {
    throw new NetError("BAD_URL", `the redirect target '${location}' is not a URL`);
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") {
    throw new NetError("UNSUPPORTED_PROTOCOL", `redirect to '${next.protocol}' refused`);
  }
  // Credentials in a Location are the server's choice, never sent on the caller's behalf.
  next.username = next.password = "";
  return next;
}
