/**
 * The LRU order and the size bound: the `u` record (last use and cost) and
 * `o` record (order by last use) of every entry, the `total` of all costs,
 * and eviction of the least recently used entries while over the bound.
 *
 * An entry is stored and removed together with these records, in one atomic
 * under version checks, so `total` always equals the sum of the committed
 * entries' costs; {@linkcode repairTotal} recomputes it at startup and when
 * eviction finds nothing to remove.
 *
 * @module
 */

import { commitWithRetry, retryLocked } from "./atomic_retry.ts";
import type { EntryKey } from "./entry_key.ts";
import { isEntry } from "./stored_entry.ts";
import { keys, ROOT } from "./store_layout.ts";
import type { StoreKv } from "./store_kv.ts";

/** A hit updates the LRU order at most this often per entry and process. */
const TOUCH_INTERVAL_MS = 1_000;

/** The value of a `u` record: last use and counted bytes of an entry. */
export interface Use {
  t: number;
  cost: number;
}

/** Shape check of a `u` record. */
export function isUse(value: unknown): value is Use {
  const use = value as Use | null;
  return typeof use === "object" && use !== null && typeof use.t === "number" &&
    typeof use.cost === "number";
}

/** A count read from the store (such as `total`), with anything invalid as 0. */
export function numberOr0(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** Removes entries, least recently used first, until the total is within `maxSize`. */
export async function evict(
  kv: StoreKv,
  maxSize: number,
  onDrop?: (bytes: number) => void,
): Promise<void> {
  for (let round = 0; round < 10_000; round++) {
    const total = numberOr0((await kv.get(keys.total)).value);
    if (total <= maxSize) return;
    let progressed = false;
    for await (const item of kv.list({ prefix: [...ROOT, "o"] }, { limit: 8 })) {
      const [t, url, variant] = item.key.slice(ROOT.length + 1);
      if (typeof t !== "number" || typeof url !== "string" || typeof variant !== "string") {
        await retryLocked(() => kv.delete(item.key));
        continue;
      }
      if (await removeEntry(kv, { url, variant }, t, undefined, onDrop)) progressed = true;
      const now = numberOr0((await kv.get(keys.total)).value);
      if (now <= maxSize) return;
    }
    if (!progressed) {
      await repairTotal(kv);
      return;
    }
  }
}

/**
 * Removes the entry at `key` with its LRU records and cost; with `orderT`,
 * only the LRU record at that time (and the entry when the record is
 * current); with `versionstamp`, only that version of the entry. Its chunks
 * are marked for deletion after the grace period; `onDrop` is told their size.
 */
export async function removeEntry(
  kv: StoreKv,
  key: EntryKey,
  orderT?: number,
  versionstamp?: string,
  onDrop?: (bytes: number) => void,
): Promise<boolean> {
  let dropped = 0;
  const removed = await commitWithRetry(async () => {
    dropped = 0;
    const [entry, use, total] = await kv.getMany<[unknown, Use, number]>([
      keys.entry(key),
      keys.use(key),
      keys.total,
    ]);
    const op = kv.atomic();
    if (orderT !== undefined && (!isUse(use.value) || use.value.t !== orderT)) {
      // A stale LRU record: the entry was used or replaced since.
      return { op: op.check(use).delete(keys.order(orderT, key)) };
    }
    if (entry.versionstamp === null && use.versionstamp === null) return null;
    if (versionstamp !== undefined && entry.versionstamp !== versionstamp) return null;
    op.check(entry, use, total).delete(keys.entry(key)).delete(keys.use(key));
    if (isUse(use.value)) {
      op.delete(keys.order(use.value.t, key));
      op.set(keys.total, Math.max(0, numberOr0(total.value) - use.value.cost));
    }
    if (isEntry(entry.value) && entry.value.chunks > 0) {
      op.set(keys.garbage(entry.value.id), { t: Date.now(), size: entry.value.size });
      dropped = entry.value.size;
    }
    return { op };
  }).catch(() => false);
  if (removed && dropped > 0) onDrop?.(dropped);
  return removed;
}

/** Recomputes `total` from the LRU records when no writer changed it meanwhile. */
export async function repairTotal(kv: StoreKv): Promise<void> {
  await commitWithRetry(async () => {
    const total = await kv.get<number>(keys.total);
    let sum = 0;
    for await (const item of kv.list<unknown>({ prefix: [...ROOT, "u"] })) {
      if (isUse(item.value)) sum += item.value.cost;
    }
    if (total.value === sum) return null;
    return { op: kv.atomic().check(total).set(keys.total, sum) };
  }).catch(() => false);
}

/**
 * Records hits for the LRU order without slowing them down: at most one
 * update per entry every {@linkcode TOUCH_INTERVAL_MS}, coalesced and
 * written by one background loop.
 */
export class TouchQueue {
  readonly #kv: StoreKv;
  readonly #background: (task: () => Promise<unknown>) => void;
  readonly #closed: () => boolean;
  readonly #touches = new Map<string, { key: EntryKey; t: number }>();
  readonly #lastTouch = new Map<string, number>();
  #touching = false;

  /**
   * @param kv the database
   * @param background runs the write loop as background work of the store
   * @param closed `true` once the database is closed: the loop stops
   */
  constructor(
    kv: StoreKv,
    background: (task: () => Promise<unknown>) => void,
    closed: () => boolean,
  ) {
    this.#kv = kv;
    this.#background = background;
    this.#closed = closed;
  }

  /** Records a use of the entry at `key` now. */
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
        while (this.#touches.size > 0 && !this.#closed()) {
          const batch = [...this.#touches.values()];
          this.#touches.clear();
          for (const { key, t } of batch) await this.#persist(key, t);
        }
      } finally {
        this.#touching = false;
      }
    });
  }

  /** Moves the entry to `t` in the LRU order, unless it was used later or is gone. */
  async #persist(key: EntryKey, t: number): Promise<void> {
    await commitWithRetry(async () => {
      const use = await this.#kv.get<Use>(keys.use(key));
      if (!isUse(use.value) || use.value.t >= t) return null;
      const op = this.#kv.atomic().check(use)
        .set(keys.use(key), { t, cost: use.value.cost })
        .delete(keys.order(use.value.t, key))
        .set(keys.order(t, key), use.value.cost);
      return { op };
    });
  }
}
