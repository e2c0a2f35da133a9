/**
 * The `http` namespace: everything `@ohos.net.http` exports, values and
 * types, so `http.createHttp()` and `let o: http.HttpRequestOptions` both work.
 *
 * @module
 */

import { HttpRequest } from "./http_request.ts";
import * as cache from "./response_cache.ts";
import type { CacheInfo as Info, ResponseCacheOptions as CacheOptions } from "./response_cache.ts";

// `export *` (not `export { … } from`): `deno doc` lists a namespace's re-exports only this way.
export * from "./enums.ts";
export * from "./http_request.ts";
export * from "./interceptors.ts";
export type * from "./types.ts";

/**
 * Settings of {@linkcode createHttpResponseCache} beyond the seed's
 * `cacheSize`: `location`, `maxSize`, `maxEntrySize`.
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const options: http.ResponseCacheOptions = { location: ":memory:", maxEntrySize: 65536 };
 * await http.createHttpResponseCache(undefined, options).delete();
 * ```
 */
export type ResponseCacheOptions = CacheOptions;

/**
 * What {@linkcode HttpResponseCache.info} reports: where the cache lives,
 * its entries and bytes, and why it fell back to memory, if it did.
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const cache = http.createHttpResponseCache(undefined, { location: ":memory:" });
 * const info: http.CacheInfo = await cache.info();
 * console.log(info.entries);
 * await cache.delete();
 * ```
 */
export type CacheInfo = Info;

/**
 * The handle {@linkcode createHttpResponseCache} returns: `flush()`,
 * `delete()`, and the extensions `close()` and `info()`.
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const cache: http.HttpResponseCache = http.createHttpResponseCache(undefined, { location: ":memory:" });
 * await cache.flush();
 * await cache.delete();
 * ```
 */
export type HttpResponseCache = cache.HttpResponseCache;
/** The class of {@linkcode createHttpResponseCache}'s handles (see the type of the same name). */
export const HttpResponseCache: typeof cache.HttpResponseCache = cache.HttpResponseCache;

/**
 * Switches on the response cache (RFC 9111, in Deno KV; run with
 * `--unstable-kv`) for every request of the process and returns a handle to
 * it. `cacheSize` bounds the bytes stored (default and maximum 10 MiB; more
 * with `options.maxSize`). Throws an Error with `code` 401 for a value out of
 * range. See docs/cache.md.
 *
 * @param cacheSize the size bound in bytes
 * @param options where the cache lives and other limits
 * @returns the handle
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const cache = http.createHttpResponseCache(1024 * 1024, { location: ":memory:" });
 * console.log((await cache.info()).maxSize); // 1048576
 * await cache.delete();
 * ```
 */
export function createHttpResponseCache(
  cacheSize?: number,
  options?: ResponseCacheOptions,
): HttpResponseCache {
  return cache.createHttpResponseCache(cacheSize, options);
}

/**
 * Creates a request object. Call `destroy()` when done with it.
 *
 * @returns a new {@linkcode HttpRequest}
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const req = http.createHttp();
 * req.destroy();
 * ```
 */
export function createHttp(): HttpRequest {
  return new HttpRequest();
}
