/**
 * A diagnostic of the store's invariants, read straight from the database:
 * what the tests use to prove that crashes and concurrent writers leave the
 * cache sound.
 *
 * @module
 */

import { isUse, numberOr0, type Use } from "./lru.ts";
import { isEntry, type StoredEntry } from "./stored_entry.ts";
import { ROOT } from "./store_layout.ts";
import type { StoreKv } from "./store_kv.ts";

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
export async function checkConsistency(kv: StoreKv): Promise<ConsistencyReport> {
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
