/**
 * The process-global response cache, as OpenHarmony has it: nothing is
 * cached until it is started; once started, every request of the process
 * may use it; a later start while it runs changes nothing; `delete` stops it
 * and removes every entry; `close` (our addition) stops it and keeps the
 * entries.
 *
 * @module
 */

import { KvStore, type StoreStats } from "./kv_store.ts";
import { openCacheKv, type StoreKind } from "./location.ts";

/** How the cache is set up. */
export interface CacheConfig {
  /** Bound on the stored bytes. */
  readonly maxSize: number;
  /** Largest body stored. */
  readonly maxEntrySize: number;
  /** A path, `":memory:"` or a KV Connect URL; the default location when absent. */
  readonly location?: string;
}

/** What {@linkcode cacheInfo} reports. */
export interface CacheInfo {
  /** `false` before the cache was started and after it was deleted or closed. */
  readonly running: boolean;
  /** The path, `":memory:"` or URL in use; `null` when not running or not open. */
  readonly location: string | null;
  /** What backs the store; `null` when not running or not open. */
  readonly kind: "file" | "memory" | "remote" | null;
  /** Why the default location was not used, or why nothing could be opened. */
  readonly problem: string | null;
  /** Stored responses (of every process using the store). */
  readonly entries: number;
  /** Bytes counted against `maxSize`: bodies plus stored heads. */
  readonly bytes: number;
  /** The size bound in bytes. */
  readonly maxSize: number;
}

interface Opened {
  readonly store: KvStore | null;
  readonly location: string | null;
  readonly kind: StoreKind | null;
  readonly problem: string | null;
  /** Set when an explicitly chosen location failed: flush() reports it. */
  readonly error: unknown;
}

interface Running {
  readonly config: CacheConfig;
  readonly ready: Promise<Opened>;
  /** The store once open, for the requests' fast path. */
  store: KvStore | null;
}

let running: Running | null = null;

/**
 * Starts the cache unless it runs already.
 *
 * @returns `false` when it was already running (the new config is ignored)
 */
export function startCache(config: CacheConfig): boolean {
  if (running) return false;
  const state: Running = { config, ready: open(config), store: null };
  state.ready.then((opened) => {
    state.store = opened.store;
  });
  running = state;
  return true;
}

async function open(config: CacheConfig): Promise<Opened> {
  try {
    const opened = await openCacheKv(config.location);
    const store = new KvStore(opened.kv, {
      maxSize: config.maxSize,
      maxEntrySize: config.maxEntrySize,
    });
    store.startUpkeep();
    return {
      store,
      location: opened.location,
      kind: opened.kind,
      problem: opened.fallbackReason ?? null,
      error: undefined,
    };
  } catch (error) {
    return {
      store: null,
      location: null,
      kind: null,
      problem: (error as Error)?.message ?? String(error),
      error,
    };
  }
}

/**
 * The store requests should use: `null` when the cache is not running, the
 * store itself when open, else a promise of it (`null` if it failed to open).
 */
export function activeStore(): KvStore | Promise<KvStore | null> | null {
  if (!running) return null;
  return running.store ?? running.ready.then((opened) => opened.store);
}

/** Waits until everything this process wrote is in the store; rejects when an explicit location failed. */
export async function flushCache(): Promise<void> {
  const state = running;
  if (!state) return;
  const opened = await state.ready;
  if (opened.error !== undefined && state.config.location !== undefined) throw opened.error;
  await opened.store?.settle();
}

/** Stops the cache and removes every entry (of every process using the same store). */
export async function deleteCache(): Promise<void> {
  const state = running;
  if (!state) return;
  running = null;
  const { store } = await state.ready;
  if (!store) return;
  try {
    await store.clear();
  } finally {
    await store.close();
  }
}

/** Stops the cache and closes its database, keeping the entries. */
export async function closeCache(): Promise<void> {
  const state = running;
  if (!state) return;
  running = null;
  const { store } = await state.ready;
  await store?.close();
}

/** The state of the cache. */
export async function cacheInfo(): Promise<CacheInfo> {
  const state = running;
  if (!state) {
    return {
      running: false,
      location: null,
      kind: null,
      problem: null,
      entries: 0,
      bytes: 0,
      maxSize: 0,
    };
  }
  const opened = await state.ready;
  let stats: StoreStats = { entries: 0, bytes: 0, maxSize: state.config.maxSize };
  if (opened.store && !opened.store.closed) stats = await opened.store.stats();
  return {
    running: true,
    location: opened.location,
    kind: opened.kind,
    problem: opened.problem,
    ...stats,
  };
}
