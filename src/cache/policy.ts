/**
 * RFC 9111 decisions for a private (single-user) cache, made by
 * `npm:http-cache-semantics` with `shared: false`; this file only adapts
 * core requests and heads to the library's plain-object shapes and adds the
 * few rules the library leaves to its caller:
 *
 * - only `GET` and `HEAD` are looked up and stored (a `HEAD` may be answered
 *   from a stored `GET`);
 * - requests the caller made conditional (`If-*`) or partial (`Range`) go
 *   straight to the network: this cache does not evaluate preconditions or
 *   build partial responses;
 * - `Vary: *` is never stored, and a response is stored only when it can
 *   ever be reused (a freshness lifetime, or a validator to revalidate with);
 * - a response to a request with `Authorization` (or server authentication,
 *   which the auth layer below the cache turns into one) is stored only when the
 *   response explicitly allows it (`public`, `private`, `must-revalidate` or
 *   `s-maxage`), as RFC 9111 §3.5 asks of shared caches; and it is only
 *   ever served to requests with the same credentials (`scope.ts`);
 * - a non-error response to an unsafe method invalidates the stored
 *   responses for its URL (and a same-origin `Location`/`Content-Location`),
 *   RFC 9111 §4.4.
 *
 * @module
 */

import type CachePolicy from "http-cache-semantics";
import type { CoreRequest, ResponseHead } from "../core/request.ts";

export type { CachePolicy };

/** The library's class, loaded by {@linkcode loadPolicies} when a cache is first used. */
let Policies: typeof CachePolicy;

/** Loads `http-cache-semantics`; every other function here needs it loaded. */
export async function loadPolicies(): Promise<void> {
  Policies ??= (await import("http-cache-semantics")).default;
}

/** The request shape the library reads. */
export interface PolicyRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
}

/** The response shape the library reads. */
export interface PolicyResponse {
  status: number;
  headers: Record<string, string>;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);
const CALLER_CONDITIONALS = [
  "if-none-match",
  "if-modified-since",
  "if-match",
  "if-unmodified-since",
  "if-range",
  "range",
];

/** The method whose stored responses may answer `request`, or `null` when none may. */
export function lookupMethod(request: CoreRequest): "GET" | "HEAD" | null {
  const method = request.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD") return null;
  if (request.body !== null) return null;
  for (const name of CALLER_CONDITIONALS) if (request.headers.has(name)) return null;
  return method;
}

/** `true` when a non-error response to this method invalidates stored responses. */
export function isUnsafe(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** The library's view of `request`, with `headers` instead of the request's own. */
export function policyRequest(
  request: CoreRequest,
  headers: Headers = request.headers,
): PolicyRequest {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => record[name] = value);
  record.host = request.url.host;
  return { url: request.url.href, method: request.method.toUpperCase(), headers: record };
}

/**
 * The library's view of a response head. `Set-Cookie` is left out: like
 * browsers' disk caches, this cache never stores cookies, so a stored
 * response cannot replay someone's session cookie.
 */
export function policyResponse(status: number, headers: Headers): PolicyResponse {
  const record: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== "set-cookie") record[name] = value;
  });
  return { status, headers: record };
}

/** Builds the policy of a response. */
export function policyFor(request: PolicyRequest, head: ResponseHead): CachePolicy {
  return new Policies(request, policyResponse(head.status, head.headers), { shared: false });
}

/** The names listed by `Vary`, lower case; `null` for `Vary: *`. */
export function varyNames(headers: Headers): string[] | null {
  const value = headers.get("vary");
  if (value === null) return [];
  const names = value.toLowerCase().split(",").map((s) => s.trim()).filter(Boolean);
  if (names.includes("*")) return null;
  return [...new Set(names)].sort();
}

/** The request's values of the `Vary` fields, as stored with the entry. */
export function varyValues(names: string[], headers: Headers): Array<[string, string | null]> {
  return names.map((name) => [name, headers.get(name)]);
}

/** `true` when `headers` select the stored variant. */
export function varyMatches(
  stored: ReadonlyArray<readonly [string, string | null]>,
  headers: Headers,
): boolean {
  for (const [name, value] of stored) if (headers.get(name) !== value) return false;
  return true;
}

/** Whether a response may be stored, and will ever be of use. */
export function shouldStore(
  policy: CachePolicy,
  request: CoreRequest,
  head: ResponseHead,
): boolean {
  if (!policy.storable()) return false;
  if (varyNames(head.headers) === null) return false;
  const authorized = request.headers.has("authorization") || request.authentication;
  if (authorized && !allowsAuthorized(head.headers)) return false;
  return policy.timeToLive() > 0 || head.headers.has("etag") ||
    head.headers.has("last-modified");
}

function allowsAuthorized(headers: Headers): boolean {
  const directives = cacheControl(headers.get("cache-control"));
  return ["public", "private", "must-revalidate", "s-maxage"].some((d) => directives.has(d));
}

/** Directive names of a `Cache-Control` value (lower case). */
export function cacheControl(value: string | null): Set<string> {
  const names = new Set<string>();
  if (!value) return names;
  for (const part of value.split(",")) {
    const name = part.split("=")[0]!.trim().toLowerCase();
    if (name) names.add(name);
  }
  return names;
}

/** `true` when the request asks for a stored response only (RFC 9111 §5.2.1.7). */
export function onlyIfCached(request: CoreRequest): boolean {
  return cacheControl(request.headers.get("cache-control")).has("only-if-cached");
}

/** The headers to serve a stored response with (`Age` and `Date` updated by the policy). */
export function servedHeaders(policy: CachePolicy): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(policy.responseHeaders())) {
    if (typeof value === "string") headers.set(name, value);
  }
  return headers;
}

/**
 * The policy as stored: `CachePolicy.toObject()` keeping, of the request
 * headers, only the `Vary` fields it needs for matching (never an
 * `Authorization` or `Cookie` it does not need).
 */
export function serializePolicy(
  policy: CachePolicy,
  vary: readonly string[],
): Record<string, unknown> {
  const object = policy.toObject() as Record<string, unknown>;
  const requestHeaders = object.reqh as Record<string, string> | null | undefined;
  if (requestHeaders) {
    const kept: Record<string, string> = {};
    for (const name of vary) if (name in requestHeaders) kept[name] = requestHeaders[name]!;
    object.reqh = kept;
  }
  return object;
}

/** A policy back from its stored form; `null` when the stored form is unusable. */
export function restorePolicy(object: Record<string, unknown>): CachePolicy | null {
  try {
    return Policies.fromObject(object);
  } catch {
    return null;
  }
}

/** The headers of a revalidation request (`If-None-Match` / `If-Modified-Since` added). */
export function revalidationHeaders(policy: CachePolicy, request: PolicyRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(policy.revalidationHeaders(request))) {
    if (name !== "host" && typeof value === "string") headers.set(name, value);
  }
  return headers;
}
