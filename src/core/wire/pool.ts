/**
 * Idle keep-alive connections, per pool key (origin plus every setting that
 * changes a connection), most recently used first. Idle connections are
 * unref'd and close themselves after their idle time, so a pool never holds
 * a process open; a connection the server closed meanwhile is dropped when
 * found.
 *
 * @module
 */

import type { Http1Connection } from "./http1_connection.ts";

/** Bounds of a pool. */
export interface PoolLimits {
  /** Idle connections kept per key. */
  readonly maxIdlePerKey: number;
  /** Idle connections kept in all. */
  readonly maxIdle: number;
  /** Default idle time before a connection closes, in ms. */
  readonly idleTimeout: number;
}

/** The defaults: enough idle connections for 128 requests in flight to one origin. */
export const DEFAULT_POOL_LIMITS: PoolLimits = {
  maxIdlePerKey: 128,
  maxIdle: 1024,
  idleTimeout: 30_000,
};

/**
 * A keep-alive pool.
 *
 * @example
 * ```ts
 * import { ConnectionPool } from "./pool.ts";
 * const pool = new ConnectionPool();
 * pool.take("http://127.0.0.1:8080"); // null: nothing idle yet
 * pool.close();
 * ```
 */
export class ConnectionPool {
  readonly #idle = new Map<string, Http1Connection[]>();
  readonly #limits: PoolLimits;
  #count = 0;
  /** Counts connections going idle: their order, without reading the clock. */
  #order = 0;

  constructor(limits: PoolLimits = DEFAULT_POOL_LIMITS) {
    this.#limits = limits;
  }

  /** Idle connections in all. */
  get size(): number {
    return this.#count;
  }

  /** An idle connection for `key` made ready for use, or `null`. */
  take(key: string): Http1Connection | null {
    const list = this.#idle.get(key);
    if (!list || list.length === 0) return null;
    let wire: Http1Connection | undefined;
    while ((wire = list.pop())) {
      this.#count--;
      wire.pooled = false;
      const conn = wire.conn;
      // Gone or expired while idle: never hand it out. (A connection with an idle timer of its own
      // is closed when it expires; only others need the clock.)
      if (
        conn.open === false || conn.pending ||
        (!conn.idle && performance.now() - wire.idleSince > wire.idleLimit)
      ) {
        conn.close();
        continue;
      }
      conn.ref();
      return wire;
    }
    return null;
  }

  /** Keeps `wire` for reuse, or closes it when it cannot be reused or the pool is full. */
  put(wire: Http1Connection, idleTimeout = 0): void {
    if (!wire.reusable) {
      wire.conn.close();
      return;
    }
    const limit = idleTimeout > 0 ? idleTimeout : this.#limits.idleTimeout;
    let list = this.#idle.get(wire.key);
    if (!list) this.#idle.set(wire.key, list = []);
    if (list.length >= this.#limits.maxIdlePerKey) {
      const oldest = list.shift()!;
      oldest.pooled = false;
      oldest.conn.close();
      this.#count--;
    } else if (this.#count >= this.#limits.maxIdle) this.#evictOldest();
    wire.idleOrder = ++this.#order;
    if (!wire.conn.idle) wire.idleSince = performance.now();
    if (wire.idleLimit !== limit) {
      // Armed once per connection (re-arming costs more than the rest of a reuse).
      wire.idleLimit = limit;
      wire.conn.idle?.(limit, () => {
        if (wire.pooled) this.#expire(wire);
      });
    }
    wire.conn.unref();
    wire.pooled = true;
    list.push(wire);
    this.#count++;
  }

  /** Closes every idle connection. */
  close(): void {
    for (const list of this.#idle.values()) for (const wire of list) wire.conn.close();
    this.#idle.clear();
    this.#count = 0;
  }

  #expire(wire: Http1Connection): void {
    const list = this.#idle.get(wire.key);
    const at = list?.indexOf(wire) ?? -1;
    if (at >= 0) {
      list!.splice(at, 1);
      this.#count--;
      if (list!.length === 0) this.#idle.delete(wire.key);
    }
    wire.pooled = false;
    wire.conn.close();
  }

  #evictOldest(): void {
    let oldest: Http1Connection | null = null;
    for (const list of this.#idle.values()) {
      if (list[0] && (!oldest || list[0].idleOrder < oldest.idleOrder)) oldest = list[0];
    }
    if (oldest) this.#expire(oldest);
  }
}
