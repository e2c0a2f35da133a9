/**
 * Reading a stored body back: inline from the entry, or chunk by chunk with
 * a few chunks per consistent read, checking that it adds up to the entry's
 * size so that a damaged body is never served as complete.
 *
 * @module
 */

import { retryLocked } from "./atomic_retry.ts";
import type { StoredEntry } from "./stored_entry.ts";
import { type Key, keys } from "./store_layout.ts";
import type { StoreKv } from "./store_kv.ts";

/** Chunks per read (limit: 10 keys per `getMany`). */
const CHUNKS_PER_READ = 8;

/** A body that is missing chunks or does not add up. */
export class CorruptEntryError extends Error {
  constructor(detail: string) {
    super(`corrupt cache entry: ${detail}`);
    this.name = "CorruptEntryError";
  }
}

/**
 * The body of an entry chunk by chunk (at most `CHUNK_SIZE`
 * bytes each); throws {@linkcode CorruptEntryError} when it does not add up.
 */
export async function* bodyChunks(kv: StoreKv, entry: StoredEntry): AsyncGenerator<Uint8Array> {
  if (entry.chunks === 0) {
    const body = entry.body ?? new Uint8Array(0);
    if (body.byteLength !== entry.size) throw new CorruptEntryError("inline body length");
    if (body.byteLength > 0) yield body;
    return;
  }
  let bytes = 0;
  for (let first = 0; first < entry.chunks; first += CHUNKS_PER_READ) {
    const batchKeys: Key[] = [];
    for (let i = first; i < Math.min(entry.chunks, first + CHUNKS_PER_READ); i++) {
      batchKeys.push(keys.chunk(entry.id, i));
    }
    // One consistent read per batch; retried if another process holds the lock.
    const batch = await retryLocked(() => kv.getMany<unknown[]>(batchKeys));
    for (const [j, item] of batch.entries()) {
      if (!(item.value instanceof Uint8Array)) {
        throw new CorruptEntryError(`chunk ${first + j} of ${entry.chunks} missing`);
      }
      bytes += item.value.byteLength;
      if (bytes > entry.size) throw new CorruptEntryError("body too long");
      yield item.value;
    }
  }
  if (bytes !== entry.size) {
    throw new CorruptEntryError(`${bytes} of ${entry.size} bytes`);
  }
}

/** The whole body, or {@linkcode CorruptEntryError}. */
export async function readBody(kv: StoreKv, entry: StoredEntry): Promise<Uint8Array> {
  if (entry.chunks === 0) {
    for await (const chunk of bodyChunks(kv, entry)) return chunk;
    return new Uint8Array(0);
  }
  const out = new Uint8Array(entry.size);
  let offset = 0;
  for await (const chunk of bodyChunks(kv, entry)) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
