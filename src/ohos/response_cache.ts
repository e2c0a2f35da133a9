/**
 * `createHttpResponseCache()` and the `HttpResponseCache` handle: the
 * OpenHarmony face of the Deno KV response cache in `src/cache/`.
 *
 * As in OpenHarmony, the cache is process-global: nothing is cached until
 * `createHttpResponseCache()` is first called, every handle acts on the one
 * cache, and a later call while it runs keeps the first configuration.
 *
 * @module
 */

import { invalidArgument, NetError } from "../core/errors.ts";
import {
  type CacheInfo,
  cacheInfo,
  closeCache,
  deleteCache,
  flushCache,
  startCache,
} from "../cache/registry.ts";
import { toBusinessError } from "./errors.ts";
import type { AsyncCallback } from "./types.ts";

export type { CacheInfo };

/** The seed's largest (and default) `cacheSize`: 10 MiB. */
export const MAX_CACHE_SIZE = 10 * 1024 * 1024;

/** Settings beyond the seed's `cacheSize` (all optional). */
export interface ResponseCacheOptions {
  /**
   * Where the cache lives: a file path (shared by every process that opens
   * it), `":memory:"` (this process only), or the `http(s)://` URL of a KV
   * Connect server such as a self-hosted `denokv` (the token comes from
   * `DENO_KV_ACCESS_TOKEN`). Default: the `NETSTACK_HTTP_CACHE` environment
   * variable when env access is granted, else a file under the user cache
   * directory chosen as `Deno.openKv()` chooses its default database (by
   * `--location`, else the project's `deno.json`, else the main module), in
   * memory when that needs a permission the program does not have.
   */
  location?: string;
  /**
   * The size bound in bytes, used instead of `cacheSize` and without its
   * 10 MiB ceiling: any integer from 0 to 2^53 − 1.
   */
  maxSize?: number;
  /** Largest response body stored, in bytes; a quarter of the size bound by default. */
  maxEntrySize?: number;
  /**
   * The longest any read or write of the store may take, in ms (default
   * 1000). A store that misses it is used no more until a background probe
   * finds it answering again; meanwhile requests go to the origin.
   */
  storeTimeout?: number;
  /**
   * `true`: a store that cannot be opened (no `--unstable-kv`, a bad token,
   * a server that refuses or cannot be reached) is an error — every request
   * that would use the cache fails with it (2300999), and so does `flush()` —
   * instead of one warning on stderr and requests running uncached.
   */
  required?: boolean;
}

/**
 * The response cache handle. Every handle acts on the one process-global cache.
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const cache = http.createHttpResponseCache(1024 * 1024, { location: ":memory:" });
 * await cache.flush();
 * await cache.delete(); // caching stops until createHttpResponseCache() is called again
 * ```
 */
export class HttpResponseCache {
  /**
   * Waits until everything this process stored is written to the database.
   * Entries are committed as they are stored; this also waits for the
   * background LRU updates and clean-up. Rejects (2300999) only when an
   * explicitly given location could not be opened.
   *
   * @param callback called when done; without it a promise is returned
   */
  flush(callback: AsyncCallback<void>): void;
  /**
   * Waits until everything this process stored is written to the database.
   *
   * @returns resolves when done
   */
  flush(): Promise<void>;
  flush(callback?: AsyncCallback<void>): Promise<void> | void {
    return settleVoid(callback, flushCache);
  }

  /**
   * Turns caching off and removes every entry from the store (including
   * entries other processes stored there), then closes the database.
   * Caching resumes when `createHttpResponseCache()` is called again.
   *
   * @param callback called when done; without it a promise is returned
   */
  delete(callback: AsyncCallback<void>): void;
  /**
   * Turns caching off and removes every entry, then closes the database.
   *
   * @returns resolves when done
   */
  delete(): Promise<void>;
  delete(callback?: AsyncCallback<void>): Promise<void> | void {
    return settleVoid(callback, deleteCache);
  }

  /**
   * Not in OpenHarmony: turns caching off and closes the database, keeping
   * the entries for the next `createHttpResponseCache()` (in this or another
   * process). Use it to release the database handle, e.g. at the end of a test.
   *
   * @returns resolves when the database is closed
   */
  close(): Promise<void> {
    return closeCache().catch((error) => {
      throw toBusinessError(error);
    });
  }

  /**
   * Not in OpenHarmony: where the cache lives and how full it is.
   *
   * @returns the state of the process-global cache
   */
  info(): Promise<CacheInfo> {
    return cacheInfo();
  }
}

function settleVoid(callback: unknown, action: () => Promise<void>): Promise<void> | void {
  if (callback !== undefined && typeof callback !== "function") {
    return Promise.reject(toBusinessError(catchInvalid(callback)));
  }
  const promise = action().catch((error) => {
    throw toBusinessError(error instanceof NetError ? error : cacheError(error));
  });
  if (callback === undefined) return promise;
  const done = callback as AsyncCallback<void>;
  promise.then(
    () => done(undefined as never, undefined),
    (error) => done(error, undefined),
  );
}

function cacheError(error: unknown): NetError {
  return new NetError("INTERNAL", `response cache: ${(error as Error)?.message ?? error}`, {
    cause: error,
  });
}

function catchInvalid(value: unknown): unknown {
  try {
    invalidArgument("callback", "must be a function", value);
  } catch (error) {
    return error;
  }
}

/**
 * Creates a handle to the response cache and starts the cache if it is not
 * running. From then on every request of this process may be answered from
 * it (unless `usingCache: false`) and stores cacheable responses in it.
 *
 * @param cacheSize the size bound in bytes, an integer up to 10 MiB (the
 *   default); for more, use `options.maxSize`
 * @param options where the cache lives and other limits
 * @returns the handle
 * @throws {Error} with `code` 401 for a `cacheSize` or option out of range
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
  const size = checkSize("cacheSize", cacheSize, MAX_CACHE_SIZE) ?? MAX_CACHE_SIZE;
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw parameterError("'options' must be an object");
  }
  const maxSize = checkSize("options.maxSize", options?.maxSize, Number.MAX_SAFE_INTEGER) ?? size;
  const maxEntrySize = checkSize("options.maxEntrySize", options?.maxEntrySize, maxSize) ??
    Math.floor(maxSize / 4);
  const location = options?.location;
  if (location !== undefined && (typeof location !== "string" || location === "")) {
    throw parameterError(`'options.location' must be a non-empty string`);
  }
  const storeTimeout = checkSize("options.storeTimeout", options?.storeTimeout, 2_147_483_647);
  if (storeTimeout === 0) throw parameterError("'options.storeTimeout' must be at least 1");
  const required = options?.required;
  if (required !== undefined && typeof required !== "boolean") {
    throw parameterError("'options.required' must be a boolean");
  }
  try {
    startCache({ maxSize, maxEntrySize, location, storeTimeout, required });
  } catch (error) {
    throw toBusinessError(error);
  }
  return new HttpResponseCache();
}

function checkSize(field: string, value: unknown, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw parameterError(`'${field}' must be an integer from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

/** What OpenHarmony throws for bad arguments: an Error with code 401. */
function parameterError(detail: string): Error & { code: number } {
  const error = new NetError("INVALID_ARGUMENT", detail);
  return Object.assign(new Error(error.message), { name: "BusinessError", code: 401 });
}
