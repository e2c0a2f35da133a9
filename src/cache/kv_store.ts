/**
 * The response cache's storage in Deno KV: {@linkcode KvStore}, the one
 * object the cache layer talks to, safe for several processes on one
 * database. It looks entries up, commits new ones, keeps the size bound and
 * runs the background upkeep; each of those concepts lives in its own file:
 *
 * - `store_layout.ts`: the keys and the chunk and inline sizes
 * - `entry_key.ts`: the URL part and variant hash an entry is stored under
 * - `stored_entry.ts`: the entry value and its shape check
 * - `entry_writer.ts`: chunked body writes, made visible by one atomic commit
 * - `body_reader.ts`: reading a body back, checked for completeness
 * - `lru.ts`: the LRU order, the `total` of costs and eviction
 * - `garbage.ts`: deleting chunks of dropped bodies and abandoned writes
 * - `compaction.ts`: giving disk space back (vacuum) when a file grew
 * - `store_kv.ts`, `bounded_kv.ts`, `worker_backend.ts`: the database
 *   behind a deadline, remote ones in a worker that can be cut off
 * - `bulk_delete.ts`: deleting many keys within KV's atomic limits
 * - `atomic_retry.ts`: retrying atomics under contention from other processes
 * - `consistency.ts`: a check of the invariants, for diagnostics and tests
 *
 * @module
 */

import { commitWithRetry, retryLocked } from "./atomic_retry.ts";
import { bodyChunks, readBody } from "./body_reader.ts";
import { deletePrefix } from "./bulk_delete.ts";
import { type EntryKey, urlPart } from "./entry_key.ts";
import { BodyWriter, commitEntry } from "./entry_writer.ts";
import { compact, compactIfLarge } from "./compaction.ts";
import { collectGarbage } from "./garbage.ts";
import { evict, numberOr0, removeEntry, repairTotal, TouchQueue } from "./lru.ts";
import { type EntryHead, type FoundEntry, isEntry, type StoredEntry } from "./stored_entry.ts";
import { keys, ROOT } from "./store_layout.ts";
import type { Degraded } from "./bounded_kv.ts";
import type { StoreKv } from "./store_kv.ts";

/** Garbage collection runs at most this often per process, after a write. */
const GC_INTERVAL_MS = 30_000;

/** Limits and timings of a store. */
export interface StoreOptions {
  /** Bound on the counted bytes of all entries. */
  readonly maxSize: number;
  /** Largest body stored. */
  readonly maxEntrySize: number;
  /** Delay before a dropped body's chunks are deleted (default 30 s). */
  readonly graceMs?: number;
  /** Age after which an unfinished write counts as abandoned (default 10 min). */
  readonly staleWriteMs?: number;
  /** The database file, when the store is a local file: it is compacted when it grows. */
  readonly file?: string | null;
}

/** Counts of a store. */
export interface StoreStats {
  readonly entries: number;
  readonly bytes: number;
  readonly maxSize: number;
}

/** The cache's storage over one open database, which it owns and closes. */
export class KvStore {
  readonly #kv: StoreKv;
  readonly options: Required<StoreOptions>;
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #touches: TouchQueue;
  #lastGc = 0;
  /** Bytes of bodies this process dropped since its last garbage collection. */
  #droppedSinceGc = 0;
  readonly #onDrop = (bytes: number): void => {
    this.#droppedSinceGc += bytes;
  };
  #closed = false;
  #stopping = false;

  /**
   * @param kv an open database; closed by {@linkcode KvStore.close}
   * @param options limits
   */
  constructor(kv: StoreKv, options: StoreOptions) {
    this.#kv = kv;
    this.options = { graceMs: 30_000, staleWriteMs: 600_000, file: null, ...options };
    this.#touches = new TouchQueue(kv, (task) => this.#background(task), () => this.#closed);
  }

  /** `true` once closing or closed: no more lookups or writes. */
  get closed(): boolean {
    return this.#closed || this.#stopping;
  }

  /** Refuses new lookups and writes from now on (before clearing or closing). */
  stop(): void {
    this.#stopping = true;
  }

  /** Why the store is not used now (it stopped answering), or `null`. */
  get degraded(): Degraded | null {
    return (this.#kv as { degraded?: Degraded | null }).degraded ?? null;
  }

  /** Starts background upkeep (garbage collection, total repair) after opening. */
  startUpkeep(): void {
    this.#background(async () => {
      await this.collectGarbage();
      await this.repairTotal();
    });
  }

  /** Every valid stored entry for `url` (all methods and variants). Invalid ones are dropped. */
  async lookup(url: string): Promise<FoundEntry[]> {
    if (this.closed) return [];
    const part = await urlPart(url);
    const found: FoundEntry[] = [];
    const items = await retryLocked(() =>
      Array.fromAsync(this.#kv.list<unknown>({ prefix: keys.entries(part) }))
    );
    for (const item of items) {
      const variant = item.key[item.key.length - 1];
      if (typeof variant !== "string") continue;
      const key = { url: part, variant };
      if (isEntry(item.value) && item.value.url === url) {
        found.push({ key, entry: item.value, versionstamp: item.versionstamp });
      } else if (!isEntry(item.value)) {
        this.discard(key, item.versionstamp);
      }
    }
    return found;
  }

  /**
   * The body of an entry chunk by chunk (see {@linkcode bodyChunks}); throws
   * `CorruptEntryError` when it does not add up.
   */
  body(entry: StoredEntry): AsyncGenerator<Uint8Array> {
    return bodyChunks(this.#kv, entry);
  }

  /** The whole body; throws `CorruptEntryError` when it does not add up. */
  readBody(entry: StoredEntry): Promise<Uint8Array> {
    return readBody(this.#kv, entry);
  }

  /** Starts writing a new body. */
  writer(): BodyWriter {
    return new BodyWriter(this.#kv, this.options.maxEntrySize);
  }

  /**
   * Makes a written body visible as the entry at `key`, replacing what was
   * there (see {@linkcode commitEntry}), then evicts least recently used
   * entries while over the bound.
   *
   * @returns `false` when the entry could not be stored (too large, contention)
   */
  async commit(key: EntryKey, head: EntryHead, body: BodyWriter): Promise<boolean> {
    if (this.closed) {
      await body.abort();
      return false;
    }
    if (!await commitEntry(this.#kv, key, head, body, this.options.maxSize, this.#onDrop)) {
      return false;
    }
    try {
      await this.evict();
    } catch {
      // The entry is stored; the next write evicts.
    }
    // Dropped bodies wait out a grace period, but never pile up past half the bound.
    if (
      Date.now() - this.#lastGc > GC_INTERVAL_MS ||
      this.#droppedSinceGc > this.options.maxSize / 2
    ) {
      this.#droppedSinceGc = 0;
      this.#background(() => this.collectGarbage());
    }
    return true;
  }

  /**
   * Replaces the policy of an entry (after a 304) unless the entry changed
   * since it was found; the body and cost stay.
   */
  async refresh(found: FoundEntry, policy: Record<string, unknown>): Promise<void> {
    await commitWithRetry(async () => {
      const current = await this.#kv.get(keys.entry(found.key));
      if (current.versionstamp !== found.versionstamp) return null;
      return {
        op: this.#kv.atomic().check(current).set(keys.entry(found.key), { ...found.entry, policy }),
      };
    });
  }

  /** Removes entries, least recently used first, until the total is within the bound. */
  evict(): Promise<void> {
    return evict(this.#kv, this.options.maxSize, this.#onDrop);
  }

  /** Removes the entry at `key` (see {@linkcode removeEntry} for `orderT` and `versionstamp`). */
  remove(key: EntryKey, orderT?: number, versionstamp?: string): Promise<boolean> {
    return removeEntry(this.#kv, key, orderT, versionstamp, this.#onDrop);
  }

  /** Removes every entry stored for `url` (any method or variant). */
  async removeUrl(url: string): Promise<void> {
    const part = await urlPart(url);
    const found: EntryKey[] = [];
    for await (const item of this.#kv.list({ prefix: keys.entries(part) })) {
      const variant = item.key[item.key.length - 1];
      if (typeof variant === "string") found.push({ url: part, variant });
    }
    for (const key of found) await this.remove(key);
  }

  /** Drops an entry found unusable (that version only, if it is still there), in the background. */
  discard(key: EntryKey, versionstamp: string): void {
    this.#background(() => this.remove(key, undefined, versionstamp));
  }

  /** Records a use of an entry for the LRU order (written in the background, coalesced). */
  touch(key: EntryKey): void {
    this.#touches.touch(key);
  }

  /**
   * Deletes the chunks of dropped bodies after the grace period and of
   * abandoned writes (no chunk written for `staleWriteMs`).
   */
  async collectGarbage(): Promise<void> {
    this.#lastGc = Date.now();
    await collectGarbage(
      this.#kv,
      this.options.graceMs,
      this.options.staleWriteMs,
      this.options.maxSize,
    );
    if (this.options.file) await compactIfLarge(this.options.file, this.options.maxSize);
  }

  /** Recomputes `total` from the LRU records when no writer changed it meanwhile. */
  repairTotal(): Promise<void> {
    return repairTotal(this.#kv);
  }

  /** Entry count and counted bytes. */
  stats(): Promise<StoreStats> {
    return retryLocked(async () => {
      let entries = 0;
      for await (const _ of this.#kv.list({ prefix: [...ROOT, "u"] })) entries++;
      const bytes = numberOr0((await this.#kv.get(keys.total)).value);
      return { entries, bytes, maxSize: this.options.maxSize };
    });
  }

  /** Deletes every key of the cache (all processes' entries). */
  async clear(): Promise<void> {
    this.stop();
    await this.settle();
    await deletePrefix(this.#kv, [...ROOT]);
  }

  /** Waits for the background work (LRU updates, garbage collection) started so far. */
  async settle(): Promise<void> {
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
  }

  /** Finishes background work and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.stop();
    await this.settle();
    this.#closed = true;
    this.#kv.close();
  }

  /** Gives the file's free space back (after {@linkcode KvStore.clear} and close). */
  async compact(): Promise<boolean> {
    return this.options.file ? await compact(this.options.file, 10) : false;
  }

  #background(task: () => Promise<unknown>): void {
    if (this.#closed) return;
    const promise = task().catch(() => {}).finally(() => this.#tasks.delete(promise));
    this.#tasks.add(promise);
  }
}
