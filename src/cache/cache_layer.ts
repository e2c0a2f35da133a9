/**
 * The response cache as a pipeline {@linkcode Layer}. While no cache is open
 * (the common case) it passes every request straight through, and its
 * modules stay unloaded: what it does with a request while a cache is open
 * (`cached_exchange.ts`, the policy, the store) is loaded by the first
 * request that meets one.
 *
 * @module
 */

import type { Dispatch, Layer } from "../core/request.ts";
import type { KvStore } from "./kv_store.ts";
import { activeStore } from "./registry.ts";

/** Where the layer gets its store from; `null` means "no cache now". */
export type StoreSource = () => KvStore | Promise<KvStore | null> | null;

/**
 * The cache layer. By default it uses the process-global cache, which is
 * off until started (`createHttpResponseCache()`): then it costs one
 * function call per request.
 *
 * @param source where the store comes from
 */
export function cacheLayer(source: StoreSource = activeStore): Layer {
  return (next: Dispatch): Dispatch => (request, events) => {
    // No cache open (the common case): straight through, without an extra promise hop.
    if (request.cache === "no-store") return next(request, events);
    const pending = source();
    if (pending === null) return next(request, events);
    // A store that fails to open is handled once the exchange's module is in, not reported now.
    if (pending instanceof Promise) pending.catch(() => {});
    return import("./cached_exchange.ts").then(({ throughCache }) =>
      throughCache(pending, request, events, next)
    );
  };
}
