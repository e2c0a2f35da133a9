/**
 * The process-global response cache, as OpenHarmony has it: nothing is
 * cached until it is started; once started, every request of the process
 * may use it; a later start while it runs changes nothing; `delete` stops it
 * and removes every entry; `close` (our addition) stops it and keeps the
 * entries.
 *
 * @module
 */

import type { Degraded } from "./bounded_kv.ts";
import { KV_UNAVAILABLE, kvAvailable } from "./kv_available.ts";
import type { KvStore, StoreStats } from "./kv_store.ts";
import type { StoreKind } from "./location.ts";
import { NetError } from "../core/errors.ts";

/** The default deadline of every store call, in ms. */
export const DEFAULT_STORE_TIMEOUT_MS = 1_000;

/** How the cache is set up. */
export interface CacheConfig {
  /** Bound on the stored bytes. */
  readonly maxSize: number;
  /** Largest body stored. */
  readonly maxEntrySize: number;
  /** A path, `":memory:"` or a KV Connect URL; the default location when absent. */
  readonly location?: string;
  /** Deadline of every store call in ms ({@linkcode DEFAULT_STORE_TIMEOUT_MS} when absent). */
  readonly storeTimeout?: number;
  /**
   * `true`: a store that cannot be opened is an error for every request
   * that would use it; otherwise one warning, and requests run uncached.
   */
  readonly required?: boolean;
}

/** What {@linkcode cacheInfo} reports. */
export interface CacheInfo {
  /** `false` before the cache was started and after it was deleted or closed. */
  readonly running: boolean;
  /** The path, `":memory:"` or URL in use (without credentials); `null` when not running or not open. */
  readonly location: string | null;
  /** What backs the store; `null` when not running or not open. */
  readonly kind: "file" | "memory" | "remote" | null;
  /** Why the default location was not used, or why nothing could be opened. */
  readonly problem: string | null;
  /**
   * Set while the store does not answer in time: requests go to the origin
   * as if nothing were cached, and a background probe waits for the store.
   */
  readonly degraded: { readonly reason: string; readonly since: Date } | null;
  /** Deadline of every store call, in ms. */
  readonly storeTimeout: number;
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
  /** Set when the store could not be opened. */
  readonly error: unknown;
}

interface Running {
  readonly config: CacheConfig;
  readonly timeout: number;
  readonly ready: Promise<Opened>;
  /** Once open (or failed), for the requests' fast path. */
  opened: Opened | null;
}

let running: Running | null = null;
const warned = new Set<string>();

/**
 * Starts the cache unless it runs already. Without Deno KV it warns once
 * (naming the flag) and caches nothing, or throws when the cache is `required`.
 *
 * @returns `false` when it was already running (the new config is ignored)
 */
export function startCache(config: CacheConfig): boolean {
  if (running) return false;
  if (!kvAvailable() && config.required) throw new NetError("INTERNAL", KV_UNAVAILABLE);
  const timeout = config.storeTimeout ?? DEFAULT_STORE_TIMEOUT_MS;
  const state: Running = { config, timeout, ready: open(config, timeout), opened: null };
  state.ready.then((opened) => {
    state.opened = opened;
  });
  running = state;
  return true;
}

async function open(config: CacheConfig, timeout: number): Promise<Opened> {
  // The store's modules load with the first cache started: a process that never caches never loads them.
  const [{ chosenLocation, openCacheKv }, { KvStore }] = await Promise.all([
    import("./location.ts"),
    import("./kv_store.ts"),
  ]);
  try {
    const opened = await openCacheKv(config.location, timeout);
    const store = new KvStore(opened.kv, {
      maxSize: config.maxSize,
      maxEntrySize: config.maxEntrySize,
      file: opened.kind === "file" ? opened.location : null,
    });
    store.startUpkeep();
    return {
      store,
      location: displayLocation(opened.location),
      kind: opened.kind,
      problem: opened.fallbackReason ?? null,
      error: undefined,
    };
  } catch (error) {
    const where = displayLocation(chosenLocation(config.location) ?? "the default location");
    const problem = redact(`${where}: ${(error as Error)?.message ?? String(error)}`);
    if (!config.required) {
      warnOnce(
        !kvAvailable()
          ? `${KV_UNAVAILABLE}; the response cache is off`
          : `the response cache could not be opened at ${problem}; requests run uncached`,
      );
    }
    return {
      store: null,
      location: null,
      kind: null,
      problem: kvAvailable() ? problem : KV_UNAVAILABLE,
      error: new NetError("INTERNAL", `response cache unavailable: ${problem}`),
    };
  }
}

/**
 * The store requests should use: `null` when the cache is not running or
 * its store is degraded, the store itself when open, else a promise of it
 * that gives up (as `null`) after the store deadline. With `required`, a
 * store that could not be opened rejects.
 */
export function activeStore(): KvStore | Promise<KvStore | null> | null {
  const state = running;
  if (!state) return null;
  const opened = state.opened;
  if (opened) return usable(state, opened);
  return import("./bounded_kv.ts").then(({ StoreUnavailableError, withDeadline }) =>
    withDeadline(state.ready.then((o) => usable(state, o)), state.timeout)
      .catch((error) => {
        if (error instanceof StoreUnavailableError) return null;
        throw error;
      })
  );
}

function usable(state: Running, opened: Opened): KvStore | Promise<null> | null {
  if (opened.store) return opened.store.degraded ? null : opened.store;
  return state.config.required ? Promise.reject(opened.error) : null;
}

/** Waits until everything this process wrote is in the store; rejects when an explicit location failed. */
export async function flushCache(): Promise<void> {
  const state = running;
  if (!state) return;
  const opened = await state.ready;
  if (
    opened.error !== undefined &&
    (state.config.location !== undefined || state.config.required)
  ) throw opened.error;
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
  await store.compact();
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
      degraded: null,
      storeTimeout: 0,
      entries: 0,
      bytes: 0,
      maxSize: 0,
    };
  }
  const opened = await state.ready;
  let stats: StoreStats = { entries: 0, bytes: 0, maxSize: state.config.maxSize };
  const store = opened.store;
  if (store && !store.closed && !store.degraded) stats = await store.stats().catch(() => stats);
  const degraded: Degraded | null = store?.degraded ?? null;
  return {
    running: true,
    location: opened.location,
    kind: opened.kind,
    problem: opened.problem,
    degraded: degraded && { reason: degraded.reason, since: new Date(degraded.since) },
    storeTimeout: state.timeout,
    ...stats,
  };
}

/** A location as shown in messages: a URL without credentials, query or fragment. */
function displayLocation(location: string): string {
  if (!/^https?:\/\//i.test(location)) return location;
  try {
    const url = new URL(location);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return "the KV Connect URL";
  }
}

/** Removes the KV Connect access token from a message, should a server echo it. */
function redact(message: string): string {
  let token: string | undefined;
  try {
    if (
      Deno.permissions.querySync({ name: "env", variable: "DENO_KV_ACCESS_TOKEN" }).state ===
        "granted"
    ) {
      token = Deno.env.get("DENO_KV_ACCESS_TOKEN");
    }
  } catch {
    token = undefined;
  }
  return token ? message.split(token).join("[redacted]") : message;
}

function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  // deno-lint-ignore no-console
  console.warn(`netstack-http: ${message}`);
}
