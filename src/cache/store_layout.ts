/**
 * How the response cache is laid out in Deno KV: the key of every record and
 * the sizes that decide whether a body goes inside its entry or into chunks.
 *
 * All keys are under {@linkcode ROOT}:
 *
 * | key | value |
 * | --- | --- |
 * | `e, url, variant` | the entry (`StoredEntry`); bodies up to 32 KiB inline |
 * | `c, id, i` | chunk `i` (64 KiB) of body `id` |
 * | `p, id` | body `id` is being written (refreshed with every chunk) |
 * | `g, id` | body `id` is no longer referenced; its chunks go after a grace period |
 * | `u, url, variant` | `{ t, cost }`: last use and counted bytes of the entry |
 * | `o, t, url, variant` | the LRU order: listed oldest first |
 * | `total` | bytes counted for all entries |
 * | `probe` | when a degraded store was last probed |
 *
 * @module
 */

import type { EntryKey } from "./entry_key.ts";

/** Prefix of every key; the number is the layout version. */
export const ROOT = ["netstack_http_cache", 1] as const;
/** Bytes per body chunk: the largest KV value. */
export const CHUNK_SIZE = 65_536;
/** Bodies up to this size are stored inside the entry. */
export const INLINE_MAX = 32 * 1024;

/** A key of the store. */
export type Key = Deno.KvKey;

/** The key of each kind of record, one per row of the layout table. */
export const keys = {
  entries: (url: string): Key => [...ROOT, "e", url],
  entry: (key: EntryKey): Key => [...ROOT, "e", key.url, key.variant],
  use: (key: EntryKey): Key => [...ROOT, "u", key.url, key.variant],
  order: (t: number, key: EntryKey): Key => [...ROOT, "o", t, key.url, key.variant],
  chunks: (id: string): Key => [...ROOT, "c", id],
  chunk: (id: string, i: number): Key => [...ROOT, "c", id, i],
  pending: (id: string): Key => [...ROOT, "p", id],
  garbage: (id: string): Key => [...ROOT, "g", id],
  total: [...ROOT, "total"] as Key,
  probe: [...ROOT, "probe"] as Key,
};
