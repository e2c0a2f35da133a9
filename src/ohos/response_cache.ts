/**
 * `HttpResponseCache`, the handle `createHttpResponseCache()` returns.
 *
 * This version has no response cache yet: `flush()` and `delete()` succeed
 * and requests always go to the network. The Deno KV cache is its own issue.
 *
 * @module
 */

import { invalidArgument } from "../core/errors.ts";
import { toBusinessError } from "./errors.ts";
import type { AsyncCallback } from "./types.ts";

/**
 * The response cache handle.
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const cache = http.createHttpResponseCache();
 * await cache.flush();
 * ```
 */
export class HttpResponseCache {
  /**
   * Makes written entries durable.
   *
   * @param callback called when done; without it a promise is returned
   */
  flush(callback: AsyncCallback<void>): void;
  /**
   * Makes written entries durable.
   *
   * @returns resolves when done
   */
  flush(): Promise<void>;
  flush(callback?: AsyncCallback<void>): Promise<void> | void {
    return settleVoid(callback);
  }

  /**
   * Turns caching off and removes every entry.
   *
   * @param callback called when done; without it a promise is returned
   */
  delete(callback: AsyncCallback<void>): void;
  /**
   * Turns caching off and removes every entry.
   *
   * @returns resolves when done
   */
  delete(): Promise<void>;
  delete(callback?: AsyncCallback<void>): Promise<void> | void {
    return settleVoid(callback);
  }
}

function settleVoid(callback: unknown): Promise<void> | void {
  if (callback === undefined) return Promise.resolve();
  if (typeof callback !== "function") {
    return Promise.reject(toBusinessError(catchInvalid(callback)));
  }
  queueMicrotask(() => callback(undefined, undefined));
}

function catchInvalid(value: unknown): unknown {
  try {
    invalidArgument("callback", "must be a function", value);
  } catch (error) {
    return error;
  }
}

/**
 * Creates the response cache handle.
 *
 * @param cacheSize the cache size in bytes (at most 10 MiB)
 * @returns the handle
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const cache = http.createHttpResponseCache(1024 * 1024);
 * await cache.delete();
 * ```
 */
export function createHttpResponseCache(cacheSize?: number): HttpResponseCache {
  void cacheSize;
  return new HttpResponseCache();
}
