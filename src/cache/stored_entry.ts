/**
 * One stored response: the value of an `e` key, and the shape check that
 * treats anything else found there as corrupt.
 *
 * @module
 */

import type { EntryKey } from "./entry_key.ts";
import { CHUNK_SIZE } from "./store_layout.ts";

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
  /** The body when it is at most `INLINE_MAX` bytes. */
  readonly body?: Uint8Array;
  /** Bytes counted against the size bound (body and head). */
  readonly cost: number;
  /** `Date.now()` when stored. */
  readonly stored: number;
  /** Credentials and route of the request it answered (see `scope.ts`); `""` for none. */
  readonly scope: string;
}

/** The entry fields a writer provides; the store adds id, body layout and cost. */
export type EntryHead = Omit<StoredEntry, "v" | "id" | "size" | "chunks" | "body" | "cost">;

/** An entry found by a lookup. */
export interface FoundEntry {
  readonly key: EntryKey;
  readonly entry: StoredEntry;
  readonly versionstamp: string;
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
  return typeof e.cost === "number" && typeof e.stored === "number" &&
    typeof e.scope === "string";
}
