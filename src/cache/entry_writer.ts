/**
 * Writing an entry: its body goes to KV in 64 KiB chunks as it arrives
 * ({@linkcode BodyWriter}), and the entry becomes visible only with the
 * atomic that writes its `e` key after all of its chunks are written
 * ({@linkcode commitEntry}).
 *
 * A writer that dies leaves only a `p` record and chunks nobody points at,
 * which garbage collection (`garbage.ts`) removes once the record is stale.
 * The committing atomic also updates the entry's LRU records and `total`
 * under version checks, so `total` always equals the sum of the committed
 * entries' costs; concurrent writers retry (see `atomic_retry.ts`).
 *
 * @module
 */

import { commitWithRetry, retryLocked } from "./atomic_retry.ts";
import { deleteChunks } from "./bulk_delete.ts";
import type { EntryKey } from "./entry_key.ts";
import { isUse, numberOr0, type Use } from "./lru.ts";
import { type EntryHead, isEntry, type StoredEntry } from "./stored_entry.ts";
import { CHUNK_SIZE, INLINE_MAX, keys } from "./store_layout.ts";
import type { StoreKv } from "./store_kv.ts";

/** Largest entry value without its body; larger heads are not stored. */
const ENTRY_MAX = 60 * 1024;
/** Largest KV value, with a margin for serialisation overhead. */
const VALUE_MAX = 63 * 1024;
/** Chunks per atomic when a whole body is written at once (limit: 800 KiB per atomic). */
const CHUNKS_PER_ATOMIC = 10;

/** A write in progress (`p` record); `dead` once garbage collection took it. */
export interface Pending {
  t: number;
  dead?: boolean;
}

/** How a finished body is laid out in the store. */
export interface BodyLayout {
  readonly id: string;
  readonly size: number;
  readonly chunks: number;
  readonly body?: Uint8Array;
}

/**
 * Writes one body as it arrives: full 64 KiB chunks go to KV at once (with
 * a `p` record saying the write is alive), so at most one chunk is held in
 * memory. Bodies up to {@linkcode INLINE_MAX} stay in memory and go inside
 * the entry. Past `maxSize` the writer gives up and deletes what it wrote.
 */
export class BodyWriter {
  readonly id: string = crypto.randomUUID();
  readonly #kv: StoreKv;
  readonly #maxSize: number;
  #buffer: Uint8Array = new Uint8Array(CHUNK_SIZE);
  #filled = 0;
  #chunks = 0;
  #size = 0;
  #state: "open" | "failed" | "done" | "committed" = "open";

  /**
   * @param kv the database
   * @param maxSize the largest body accepted
   */
  constructor(kv: StoreKv, maxSize: number) {
    this.#kv = kv;
    this.#maxSize = maxSize;
  }

  /** `false` once the writer gave up (too large, or a storage error). */
  get ok(): boolean {
    return this.#state !== "failed";
  }

  /** Appends bytes; never throws (a failure only stops the write). */
  async write(bytes: Uint8Array): Promise<void> {
    if (this.#state !== "open") return;
    this.#size += bytes.byteLength;
    if (this.#size > this.#maxSize) return await this.abort();
    let offset = 0;
    while (offset < bytes.byteLength) {
      const n = Math.min(CHUNK_SIZE - this.#filled, bytes.byteLength - offset);
      this.#buffer.set(bytes.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === CHUNK_SIZE) {
        const full = this.#buffer;
        this.#buffer = new Uint8Array(CHUNK_SIZE);
        this.#filled = 0;
        await this.#put([full]);
        if (this.#state !== "open") return;
      }
    }
  }

  /** Writes a whole body known up front (buffer mode), several chunks per atomic. */
  async writeAll(body: Uint8Array): Promise<void> {
    if (this.#state !== "open") return;
    if (body.byteLength > this.#maxSize || this.#size + this.#filled > 0) {
      return await (body.byteLength > this.#maxSize ? this.abort() : this.write(body));
    }
    if (body.byteLength <= INLINE_MAX) return await this.write(body);
    this.#size = body.byteLength;
    const whole = Math.floor(body.byteLength / CHUNK_SIZE);
    for (let i = 0; i < whole && this.#state === "open"; i += CHUNKS_PER_ATOMIC) {
      const parts: Uint8Array[] = [];
      for (let j = i; j < Math.min(whole, i + CHUNKS_PER_ATOMIC); j++) {
        parts.push(body.subarray(j * CHUNK_SIZE, (j + 1) * CHUNK_SIZE));
      }
      await this.#put(parts);
    }
    const rest = body.subarray(whole * CHUNK_SIZE);
    this.#buffer.set(rest, 0);
    this.#filled = rest.byteLength;
  }

  async #put(parts: Uint8Array[]): Promise<void> {
    try {
      await retryLocked(() => {
        const op = this.#kv.atomic().set(keys.pending(this.id), { t: Date.now() });
        parts.forEach((part, j) => op.set(keys.chunk(this.id, this.#chunks + j), part));
        return op.commit();
      });
      this.#chunks += parts.length;
    } catch {
      await this.abort();
    }
  }

  /** Body bytes written so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Writes the last chunk, or keeps a body of at most `inlineMax` bytes for
   * the entry itself; `null` when the write failed. Called by {@linkcode commitEntry}.
   */
  async finish(inlineMax: number): Promise<BodyLayout | null> {
    if (this.#state !== "open") return null;
    const tail = this.#buffer.slice(0, this.#filled);
    if (this.#chunks === 0 && this.#size <= inlineMax) {
      this.#state = "done";
      return { id: this.id, size: this.#size, chunks: 0, body: tail };
    }
    if (tail.byteLength > 0) await this.#put([tail]);
    if (this.#state !== "open") return null;
    this.#state = "done";
    return { id: this.id, size: this.#size, chunks: this.#chunks };
  }

  /** Called by {@linkcode commitEntry} once the entry points at this body. */
  committed(): void {
    this.#state = "committed";
  }

  /** Gives up: deletes the chunks written so far. Never throws; a no-op once committed. */
  async abort(): Promise<void> {
    if (this.#state === "committed") return;
    const wrote = this.#chunks > 0;
    this.#state = "failed";
    this.#buffer = new Uint8Array(0);
    if (!wrote) return;
    try {
      await deleteChunks(this.#kv, this.id);
      await retryLocked(() => this.#kv.delete(keys.pending(this.id)));
    } catch {
      // Left for garbage collection (the `p` record goes stale).
    }
  }
}

/**
 * Makes a written body visible as the entry at `key`, replacing what was
 * there (whose chunks are marked for deletion after the grace period).
 *
 * @param maxSize the store's size bound; a larger entry is not stored
 * @param onDrop told the size of the body this entry replaced
 * @returns `false` when the entry could not be stored (too large, contention);
 *   the body is then aborted
 */
export async function commitEntry(
  kv: StoreKv,
  key: EntryKey,
  head: EntryHead,
  body: BodyWriter,
  maxSize: number,
  onDrop?: (bytes: number) => void,
): Promise<boolean> {
  // The serialised entry without its body, with room for the numeric fields.
  const headBytes = JSON.stringify(head).length + 256;
  if (headBytes > ENTRY_MAX || body.size + headBytes > maxSize) {
    await body.abort();
    return false;
  }
  const layout = await body.finish(Math.min(INLINE_MAX, VALUE_MAX - headBytes));
  if (layout === null) return false;
  const cost = layout.size + headBytes;
  const final: StoredEntry = { v: 1, ...head, ...layout, cost };
  const now = Date.now();
  let committed = false;
  let dropped = 0;
  try {
    committed = await commitWithRetry(async () => {
      const [old, use, total, pending] = await kv.getMany<[unknown, Use, number, Pending]>([
        keys.entry(key),
        keys.use(key),
        keys.total,
        keys.pending(layout.id),
      ]);
      // Chunks written: their write record must still be alive (not being collected).
      if (layout.chunks > 0 && (pending.value === null || pending.value.dead)) return null;
      const op = kv.atomic()
        .check(old, use, total, pending)
        .set(keys.entry(key), final)
        .delete(keys.pending(layout.id))
        .set(keys.use(key), { t: now, cost })
        .set(keys.order(now, key), cost);
      const oldCost = isUse(use.value) ? use.value.cost : 0;
      if (isUse(use.value) && use.value.t !== now) op.delete(keys.order(use.value.t, key));
      dropped = 0;
      if (isEntry(old.value) && old.value.chunks > 0) {
        op.set(keys.garbage(old.value.id), { t: now, size: old.value.size });
        dropped = old.value.size;
      }
      op.set(keys.total, Math.max(0, numberOr0(total.value) - oldCost) + cost);
      return { op };
    });
  } catch {
    committed = false;
  }
  if (!committed) {
    await body.abort();
    return false;
  }
  body.committed();
  if (dropped > 0) onDrop?.(dropped);
  return true;
}
