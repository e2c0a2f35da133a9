/**
 * The response cache's storage in Deno KV: entries, chunked bodies, LRU
 * order and the size bound, safe for several processes on one database.
 *
 * Layout, all under {@linkcode ROOT}:
 *
 * | key | value |
 * | --- | --- |
 * | `e, url, variant` | the entry ({@linkcode StoredEntry}); bodies up to 32 KiB inline |
 * | `c, id, i` | chunk `i` (64 KiB) of body `id` |
 * | `p, id` | body `id` is being written (refreshed with every chunk) |
 * | `g, id` | body `id` is no longer referenced; its chunks go after a grace period |
 * | `u, url, variant` | `{ t, cost }`: last use and counted bytes of the entry |
 * | `o, t, url, variant` | the LRU order: listed oldest first |
 * | `total` | bytes counted for all entries |
 *
 * An entry becomes visible only with the atomic that writes its `e` key, after
 * all of its chunks are written: a writer that dies leaves only a `p` record
 * and chunks nobody points at, which {@linkcode KvStore.collectGarbage}
 * removes once the record is stale. The same atomic updates `u`, `o` and
 * `total` under version checks, so `total` always equals the sum of the
 * committed entries' costs; concurrent writers retry (see `atomic_retry.ts`).
 * Chunks of a replaced or evicted entry are deleted after a grace period, so
 * a reader that found the entry just before can still read its body.
 *
 * @module
 */

import { commitWithRetry, retryLocked } from "./atomic_retry.ts";

/** Prefix of every key; the number is the layout version. */
export const ROOT = ["netstack_http_cache", 1] as const;
/** Bytes per body chunk: the largest KV value. */
export const CHUNK_SIZE = 65_536;
/** Bodies up to this size are stored inside the entry. */
export const INLINE_MAX = 32 * 1024;
/** Largest entry value without its body; larger heads are not stored. */
const ENTRY_MAX = 60 * 1024;
/** Largest KV value, with a margin for serialisation overhead. */
const VALUE_MAX = 63 * 1024;
/** Chunks per read (limit: 10 keys per `getMany`). */
const CHUNKS_PER_READ = 8;
/** Chunks per atomic when a whole body is written at once (limit: 800 KiB per atomic). */
const CHUNKS_PER_ATOMIC = 10;
/** Deletions per atomic (limit: 1000 mutations). */
const DELETES_PER_ATOMIC = 500;
/** Key bytes per atomic (limit: 80 KiB of keys). */
const KEY_BYTES_PER_ATOMIC = 60 * 1024;
/** A hit updates the LRU order at most this often per entry and process. */
const TOUCH_INTERVAL_MS = 1_000;
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
}

/** One stored response (the value of an `e` key). */
export interface StoredEntry {
  readonly v: 1;
  /** The body's id (its chunk keys). */
  readonly id: string;
  readonly url: string;
  /** `GET` or `HEAD`. */
  readonly method: string;
  readonly status: number;
  readonly statusText: string;
  /** `CachePolicy.toObject()`, without request headers other than the `Vary` fields. */
  readonly policy: Record<string, unknown>;
  /** The request's values of the `Vary` fields. */
  readonly vary: Array<[string, string | null]>;
  /** Body bytes. */
  readonly size: number;
  /** Number of chunks; 0 when the body is inline or empty. */
  readonly chunks: number;
  /** The body when it is at most {@linkcode INLINE_MAX} bytes. */
  readonly body?: Uint8Array;
  /** Bytes counted against the size bound (body and head). */
  readonly cost: number;
  /** `Date.now()` when stored. */
  readonly stored: number;
}

/** The entry fields a writer provides; the store adds id, body layout and cost. */
export type EntryHead = Omit<StoredEntry, "v" | "id" | "size" | "chunks" | "body" | "cost">;

/** Where an entry lives: its URL part and variant hash. */
export interface EntryKey {
  readonly url: string;
  readonly variant: string;
}

/** An entry found by a lookup. */
export interface FoundEntry {
  readonly key: EntryKey;
  readonly entry: StoredEntry;
  readonly versionstamp: string;
}

/** Counts of a store. */
export interface StoreStats {
  readonly entries: number;
  readonly bytes: number;
  readonly maxSize: number;
}

/** A body that is missing chunks or does not add up. */
export class CorruptEntryError extends Error {
  constructor(detail: string) {
    super(`corrupt cache entry: ${detail}`);
    this.name = "CorruptEntryError";
  }
}

type Key = Deno.KvKey;
const k = {
  entries: (url: string): Key => [...ROOT, "e", url],
  entry: (key: EntryKey): Key => [...ROOT, "e", key.url, key.variant],
  use: (key: EntryKey): Key => [...ROOT, "u", key.url, key.variant],
  order: (t: number, key: EntryKey): Key => [...ROOT, "o", t, key.url, key.variant],
  chunks: (id: string): Key => [...ROOT, "c", id],
  chunk: (id: string, i: number): Key => [...ROOT, "c", id, i],
  pending: (id: string): Key => [...ROOT, "p", id],
  garbage: (id: string): Key => [...ROOT, "g", id],
  total: [...ROOT, "total"] as Key,
};

interface Use {
  t: number;
  cost: number;
}

/** A write in progress (`p` record); `dead` once garbage collection took it. */
interface Pending {
  t: number;
  dead?: boolean;
}

const encoder = new TextEncoder();

/** The key part for a URL: the URL itself, or a hash when it is long. */
export async function urlPart(url: string): Promise<string> {
  if (url.length <= 1024 && encoder.encode(url).byteLength <= 1024) return url;
  return "#" + await sha256(url);
}

/** The variant hash of a method and the request's `Vary` values. */
export function variantOf(
  method: string,
  vary: ReadonlyArray<readonly [string, string | null]>,
): Promise<string> {
  return sha256(JSON.stringify([method, vary]));
}

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The cache's storage over one open `Deno.Kv`, which it owns and closes. */
export class KvStore {
  readonly #kv: Deno.Kv;
  readonly options: Required<StoreOptions>;
  readonly #tasks = new Set<Promise<unknown>>();
  readonly #touches = new Map<string, { key: EntryKey; t: number }>();
  readonly #lastTouch = new Map<string, number>();
  #touching = false;
  #lastGc = 0;
  #closed = false;
  #stopping = false;

  /**
   * @param kv an open database; closed by {@linkcode KvStore.close}
   * @param options limits
   */
  constructor(kv: Deno.Kv, options: StoreOptions) {
    this.#kv = kv;
    this.options = { graceMs: 30_000, staleWriteMs: 600_000, ...options };
  }

  /** `true` once closing or closed: no more lookups or writes. */
  get closed(): boolean {
    return this.#closed || this.#stopping;
  }

  /** Refuses new lookups and writes from now on (before clearing or closing). */
  stop(): void {
    this.#stopping = true;
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
      Array.fromAsync(this.#kv.list<unknown>({ prefix: k.entries(part) }))
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
   * The body of an entry chunk by chunk (at most {@linkcode CHUNK_SIZE}
   * bytes each); throws {@linkcode CorruptEntryError} when it does not add up.
   */
  async *body(entry: StoredEntry): AsyncGenerator<Uint8Array> {
    if (entry.chunks === 0) {
      const body = entry.body ?? new Uint8Array(0);
      if (body.byteLength !== entry.size) throw new CorruptEntryError("inline body length");
      if (body.byteLength > 0) yield body;
      return;
    }
    let bytes = 0;
    for (let first = 0; first < entry.chunks; first += CHUNKS_PER_READ) {
      const keys: Key[] = [];
      for (let i = first; i < Math.min(entry.chunks, first + CHUNKS_PER_READ); i++) {
        keys.push(k.chunk(entry.id, i));
      }
      // One consistent read per batch; retried if another process holds the lock.
      const batch = await retryLocked(() => this.#kv.getMany<unknown[]>(keys));
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
  async readBody(entry: StoredEntry): Promise<Uint8Array> {
    if (entry.chunks === 0) {
      for await (const chunk of this.body(entry)) return chunk;
      return new Uint8Array(0);
    }
    const out = new Uint8Array(entry.size);
    let offset = 0;
    for await (const chunk of this.body(entry)) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }

  /** Starts writing a new body. */
  writer(): BodyWriter {
    return new BodyWriter(this.#kv, this.options.maxEntrySize);
  }

  /**
   * Makes a written body visible as the entry at `key`, replacing what was
   * there, then evicts least recently used entries while over the bound.
   *
   * @returns `false` when the entry could not be stored (too large, contention)
   */
  async commit(key: EntryKey, head: EntryHead, body: BodyWriter): Promise<boolean> {
    // The serialised entry without its body, with room for the numeric fields.
    const headBytes = JSON.stringify(head).length + 256;
    if (this.closed || headBytes > ENTRY_MAX || body.size + headBytes > this.options.maxSize) {
      await body.abort();
      return false;
    }
    const layout = await body.finish(Math.min(INLINE_MAX, VALUE_MAX - headBytes));
    if (layout === null) return false;
    const cost = layout.size + headBytes;
    const final: StoredEntry = { v: 1, ...head, ...layout, cost };
    const now = Date.now();
    let committed = false;
    try {
      committed = await commitWithRetry(async () => {
        const [old, use, total, pending] = await this.#kv.getMany<[unknown, Use, number, Pending]>([
          k.entry(key),
          k.use(key),
          k.total,
          k.pending(layout.id),
        ]);
        // Chunks written: their write record must still be alive (not being collected).
        if (layout.chunks > 0 && (pending.value === null || pending.value.dead)) return null;
        const op = this.#kv.atomic()
          .check(old, use, total, pending)
          .set(k.entry(key), final)
          .delete(k.pending(layout.id))
          .set(k.use(key), { t: now, cost })
          .set(k.order(now, key), cost);
        const oldCost = isUse(use.value) ? use.value.cost : 0;
        if (isUse(use.value) && use.value.t !== now) op.delete(k.order(use.value.t, key));
        if (isEntry(old.value) && old.value.chunks > 0) {
          op.set(k.garbage(old.value.id), { t: now });
        }
        op.set(k.total, Math.max(0, numberOr0(total.value) - oldCost) + cost);
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
    try {
      await this.evict();
    } catch {
      // The entry is stored; the next write evicts.
    }
    if (Date.now() - this.#lastGc > GC_INTERVAL_MS) this.#background(() => this.collectGarbage());
    return true;
  }

  /**
   * Replaces the policy of an entry (after a 304) unless the entry changed
   * since it was found; the body and cost stay.
   */
  async refresh(found: FoundEntry, policy: Record<string, unknown>): Promise<void> {
    await commitWithRetry(async () => {
      const current = await this.#kv.get(k.entry(found.key));
      if (current.versionstamp !== found.versionstamp) return null;
      return {
        op: this.#kv.atomic().check(current).set(k.entry(found.key), { ...found.entry, policy }),
      };
    });
  }

  /** Removes entries, least recently used first, until the total is within the bound. */
  async evict(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      const total = numberOr0((await this.#kv.get(k.total)).value);
      if (total <= this.options.maxSize) return;
      let progressed = false;
      for await (const item of this.#kv.list({ prefix: [...ROOT, "o"] }, { limit: 8 })) {
        const [t, url, variant] = item.key.slice(ROOT.length + 1);
        if (typeof t !== "number" || typeof url !== "string" || typeof variant !== "string") {
          await retryLocked(() => this.#kv.delete(item.key));
          continue;
        }
        if (await this.remove({ url, variant }, t)) progressed = true;
        const now = numberOr0((await this.#kv.get(k.total)).value);
        if (now <= this.options.maxSize) return;
      }
      if (!progressed) {
        await this.repairTotal();
        return;
      }
    }
  }

  /**
   * Removes the entry at `key`; with `orderT`, only the LRU record at that
   * time (and the entry when the record is current); with `versionstamp`,
   * only that version of the entry.
   */
  async remove(key: EntryKey, orderT?: number, versionstamp?: string): Promise<boolean> {
    return await commitWithRetry(async () => {
      const [entry, use, total] = await this.#kv.getMany<[unknown, Use, number]>([
        k.entry(key),
        k.use(key),
        k.total,
      ]);
      const op = this.#kv.atomic();
      if (orderT !== undefined && (!isUse(use.value) || use.value.t !== orderT)) {
        // A stale LRU record: the entry was used or replaced since.
        return { op: op.check(use).delete(k.order(orderT, key)) };
      }
      if (entry.versionstamp === null && use.versionstamp === null) return null;
      if (versionstamp !== undefined && entry.versionstamp !== versionstamp) return null;
      op.check(entry, use, total).delete(k.entry(key)).delete(k.use(key));
      if (isUse(use.value)) {
        op.delete(k.order(use.value.t, key));
        op.set(k.total, Math.max(0, numberOr0(total.value) - use.value.cost));
      }
      if (isEntry(entry.value) && entry.value.chunks > 0) {
        op.set(k.garbage(entry.value.id), { t: Date.now() });
      }
      return { op };
    }).catch(() => false);
  }

  /** Removes every entry stored for `url` (any method or variant). */
  async removeUrl(url: string): Promise<void> {
    const part = await urlPart(url);
    const keys: EntryKey[] = [];
    for await (const item of this.#kv.list({ prefix: k.entries(part) })) {
      const variant = item.key[item.key.length - 1];
      if (typeof variant === "string") keys.push({ url: part, variant });
    }
    for (const key of keys) await this.remove(key);
  }

  /** Drops an entry found unusable (that version only, if it is still there), in the background. */
  discard(key: EntryKey, versionstamp: string): void {
    this.#background(() => this.remove(key, undefined, versionstamp));
  }

  /** Records a use of an entry for the LRU order (written in the background, coalesced). */
  touch(key: EntryKey): void {
    const id = `${key.url}\n${key.variant}`;
    const now = Date.now();
    if (now - (this.#lastTouch.get(id) ?? 0) < TOUCH_INTERVAL_MS) return;
    if (this.#lastTouch.size >= 10_000) this.#lastTouch.clear();
    this.#lastTouch.set(id, now);
    this.#touches.set(id, { key, t: now });
    if (this.#touching) return;
    this.#touching = true;
    this.#background(async () => {
      try {
        while (this.#touches.size > 0 && !this.#closed) {
          const batch = [...this.#touches.values()];
          this.#touches.clear();
          for (const { key, t } of batch) await this.#persistTouch(key, t);
        }
      } finally {
        this.#touching = false;
      }
    });
  }

  async #persistTouch(key: EntryKey, t: number): Promise<void> {
    await commitWithRetry(async () => {
      const use = await this.#kv.get<Use>(k.use(key));
      if (!isUse(use.value) || use.value.t >= t) return null;
      const op = this.#kv.atomic().check(use)
        .set(k.use(key), { t, cost: use.value.cost })
        .delete(k.order(use.value.t, key))
        .set(k.order(t, key), use.value.cost);
      return { op };
    });
  }

  /**
   * Deletes the chunks of dropped bodies after the grace period and of
   * abandoned writes (no chunk written for `staleWriteMs`).
   */
  async collectGarbage(): Promise<void> {
    this.#lastGc = Date.now();
    for (
      const [kind, age] of [["g", this.options.graceMs], ["p", this.options.staleWriteMs]] as const
    ) {
      const due: string[] = [];
      for await (const item of this.#kv.list<unknown>({ prefix: [...ROOT, kind] })) {
        const id = item.key[item.key.length - 1];
        const t = (item.value as { t?: unknown } | null)?.t;
        if (typeof id !== "string") continue;
        if (typeof t !== "number" || Date.now() - t >= age) due.push(id);
      }
      for (const id of due) {
        const record: Key = [...ROOT, kind, id];
        if (kind === "p") {
          // Claim it first, so that a writer that comes back cannot commit over deleted chunks.
          const claimed = await commitWithRetry(async () => {
            const current = await this.#kv.get<Pending>(record);
            if (current.value === null || current.value.dead) return null;
            if (Date.now() - current.value.t < age) return null;
            return {
              op: this.#kv.atomic().check(current).set(record, { t: current.value.t, dead: true }),
            };
          });
          const now = await this.#kv.get<Pending>(record);
          if (!claimed && !now.value?.dead) continue;
        }
        await deleteChunks(this.#kv, id);
        await retryLocked(() => this.#kv.delete(record));
      }
    }
  }

  /** Recomputes `total` from the LRU records when no writer changed it meanwhile. */
  async repairTotal(): Promise<void> {
    await commitWithRetry(async () => {
      const total = await this.#kv.get<number>(k.total);
      let sum = 0;
      for await (const item of this.#kv.list<unknown>({ prefix: [...ROOT, "u"] })) {
        if (isUse(item.value)) sum += item.value.cost;
      }
      if (total.value === sum) return null;
      return { op: this.#kv.atomic().check(total).set(k.total, sum) };
    }).catch(() => false);
  }

  /** Entry count and counted bytes. */
  stats(): Promise<StoreStats> {
    return retryLocked(async () => {
      let entries = 0;
      for await (const _ of this.#kv.list({ prefix: [...ROOT, "u"] })) entries++;
      const bytes = numberOr0((await this.#kv.get(k.total)).value);
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

  #background(task: () => Promise<unknown>): void {
    if (this.#closed) return;
    const promise = task().catch(() => {}).finally(() => this.#tasks.delete(promise));
    this.#tasks.add(promise);
  }
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
  readonly #kv: Deno.Kv;
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
  constructor(kv: Deno.Kv, maxSize: number) {
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
        const op = this.#kv.atomic().set(k.pending(this.id), { t: Date.now() });
        parts.forEach((part, j) => op.set(k.chunk(this.id, this.#chunks + j), part));
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
   * the entry itself; `null` when the write failed. Called by {@linkcode KvStore.commit}.
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

  /** Called by {@linkcode KvStore.commit} once the entry points at this body. */
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
      await retryLocked(() => this.#kv.delete(k.pending(this.id)));
    } catch {
      // Left for garbage collection (the `p` record goes stale).
    }
  }
}

function deleteChunks(kv: Deno.Kv, id: string): Promise<void> {
  return deletePrefix(kv, k.chunks(id));
}

/** Deletes every key under `prefix`, in atomics within KV's mutation and key-size limits. */
async function deletePrefix(kv: Deno.Kv, prefix: Key): Promise<void> {
  let keys: Key[] = [];
  let bytes = 0;
  for await (const item of kv.list({ prefix })) {
    keys.push(item.key);
    bytes += keyBytes(item.key);
    if (keys.length === DELETES_PER_ATOMIC || bytes >= KEY_BYTES_PER_ATOMIC) {
      await deleteKeys(kv, keys);
      keys = [];
      bytes = 0;
    }
  }
  await deleteKeys(kv, keys);
}

/** A generous estimate of a key's encoded size. */
function keyBytes(key: Key): number {
  let n = 0;
  for (const part of key) n += 10 + (typeof part === "string" ? part.length * 3 : 8);
  return n;
}

async function deleteKeys(kv: Deno.Kv, keys: Key[]): Promise<void> {
  if (keys.length === 0) return;
  await retryLocked(() => {
    const op = kv.atomic();
    for (const key of keys) op.delete(key);
    return op.commit();
  });
}

function numberOr0(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

function isUse(value: unknown): value is Use {
  const use = value as Use | null;
  return typeof use === "object" && use !== null && typeof use.t === "number" &&
    typeof use.cost === "number";
}

/** Shape check of a stored entry (anything else is treated as corrupt). */
export function isEntry(value: unknown): value is StoredEntry {
  const e = value as StoredEntry | null;
  if (typeof e !== "object" || e === null || e.v !== 1) return false;
  if (typeof e.id !== "string" || typeof e.url !== "string" || typeof e.method !== "string") {
    return false;
  }
  if (!Number.isInteger(e.status) || typeof e.statusText !== "string") return false;
  if (typeof e.policy !== "object" || e.policy === null) return false;
  if (!Array.isArray(e.vary)) return false;
  if (!Number.isSafeInteger(e.size) || e.size < 0) return false;
  if (!Number.isSafeInteger(e.chunks) || e.chunks < 0) return false;
  if (e.chunks === 0 && e.size > 0 && !(e.body instanceof Uint8Array)) return false;
  if (e.chunks > 0 && e.chunks !== Math.ceil(e.size / CHUNK_SIZE)) return false;
  return typeof e.cost === "number" && typeof e.stored === "number";
}

/** What {@linkcode checkConsistency} found. */
export interface ConsistencyReport {
  readonly entries: number;
  /** The `total` record. */
  readonly total: number;
  /** The sum of the entries' costs. */
  readonly sum: number;
  /** Chunks that belong to no entry, unfinished write or dropped body. */
  readonly orphanChunks: number;
  /** Unfinished writes (`p` records) and dropped bodies awaiting deletion (`g` records). */
  readonly pending: number;
  readonly dropped: number;
  /** Every inconsistency, described; empty when the store is sound. */
  readonly problems: string[];
}

/**
 * Checks the invariants of a store on an open database: every entry has
 * its LRU records and all of its chunks, `total` is the sum of the costs,
 * and no chunk is unaccounted for. A diagnostic (and what the tests use).
 */
export async function checkConsistency(kv: Deno.Kv): Promise<ConsistencyReport> {
  const problems: string[] = [];
  const entries = new Map<string, StoredEntry>();
  const uses = new Map<string, Use>();
  const orders = new Map<string, number>();
  const chunks = new Map<string, number[]>();
  const pending = new Set<string>();
  const dropped = new Set<string>();
  let total = 0;
  for await (const item of kv.list<unknown>({ prefix: [...ROOT] })) {
    const [kind, ...rest] = item.key.slice(ROOT.length);
    const tail = rest.join("\n");
    if (kind === "e") {
      if (isEntry(item.value)) entries.set(tail, item.value);
      else problems.push(`invalid entry ${tail}`);
    } else if (kind === "u") {
      if (isUse(item.value)) uses.set(tail, item.value);
      else problems.push(`invalid LRU record ${tail}`);
    } else if (kind === "o") {
      orders.set(rest.slice(1).join("\n"), rest[0] as number);
    } else if (kind === "c") {
      const list = chunks.get(rest[0] as string) ?? [];
      list.push(rest[1] as number);
      chunks.set(rest[0] as string, list);
    } else if (kind === "p") pending.add(rest[0] as string);
    else if (kind === "g") dropped.add(rest[0] as string);
    else if (kind === "total") total = numberOr0(item.value);
  }
  let sum = 0;
  for (const [key, entry] of entries) {
    const use = uses.get(key);
    if (!use) problems.push(`entry without LRU record: ${key}`);
    else {
      sum += use.cost;
      if (use.cost !== entry.cost) problems.push(`cost mismatch: ${key}`);
      if (orders.get(key) !== use.t) problems.push(`LRU order record missing: ${key}`);
    }
    const have = chunks.get(entry.id) ?? [];
    if (have.length !== entry.chunks) {
      problems.push(`entry ${key} has ${have.length} of ${entry.chunks} chunks`);
    }
    if (entry.chunks === 0 && (entry.body?.byteLength ?? 0) !== entry.size) {
      problems.push(`entry ${key}: inline body length`);
    }
  }
  for (const key of uses.keys()) {
    if (!entries.has(key)) problems.push(`LRU record without entry: ${key}`);
  }
  if (sum !== total) problems.push(`total ${total} != sum of costs ${sum}`);
  const referenced = new Set([...entries.values()].map((e) => e.id));
  let orphanChunks = 0;
  for (const [id, list] of chunks) {
    if (!referenced.has(id) && !pending.has(id) && !dropped.has(id)) orphanChunks += list.length;
  }
  if (orphanChunks > 0) problems.push(`${orphanChunks} orphan chunks`);
  return {
    entries: entries.size,
    total,
    sum,
    orphanChunks,
    pending: pending.size,
    dropped: dropped.size,
    problems,
  };
}
