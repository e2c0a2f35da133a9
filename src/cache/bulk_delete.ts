/**
 * Deleting many keys at once (a body's chunks, or the whole cache), split
 * into atomics that stay within KV's limits on mutations and key bytes.
 *
 * @module
 */

import { retryLocked } from "./atomic_retry.ts";
import { type Key, keys } from "./store_layout.ts";
import type { StoreKv } from "./store_kv.ts";

/** Deletions per atomic (limit: 1000 mutations). */
const DELETES_PER_ATOMIC = 500;
/** Key bytes per atomic (limit: 80 KiB of keys). */
const KEY_BYTES_PER_ATOMIC = 60 * 1024;

/** Deletes every chunk of body `id`. */
export function deleteChunks(kv: StoreKv, id: string): Promise<void> {
  return deletePrefix(kv, keys.chunks(id));
}

/** Deletes every key under `prefix`, in atomics within KV's mutation and key-size limits. */
export async function deletePrefix(kv: StoreKv, prefix: Key): Promise<void> {
  let batch: Key[] = [];
  let bytes = 0;
  for await (const item of kv.list({ prefix })) {
    batch.push(item.key);
    bytes += keyBytes(item.key);
    if (batch.length === DELETES_PER_ATOMIC || bytes >= KEY_BYTES_PER_ATOMIC) {
      await deleteKeys(kv, batch);
      batch = [];
      bytes = 0;
    }
  }
  await deleteKeys(kv, batch);
}

/** A generous estimate of a key's encoded size. */
function keyBytes(key: Key): number {
  let n = 0;
  for (const part of key) n += 10 + (typeof part === "string" ? part.length * 3 : 8);
  return n;
}

async function deleteKeys(kv: StoreKv, batch: Key[]): Promise<void> {
  if (batch.length === 0) return;
  await retryLocked(() => {
    const op = kv.atomic();
    for (const key of batch) op.delete(key);
    return op.commit();
  });
}
