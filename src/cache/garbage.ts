/**
 * Garbage collection of body chunks nobody points at: those of replaced or
 * evicted entries (`g` records), deleted after a grace period so that a
 * reader that found the entry just before can still read its body, and
 * those of abandoned writes (`p` records not refreshed for a while).
 *
 * The grace period must not let dropped bodies pile up: a process that
 * replaces entries quickly would drop far more than the size bound within
 * one period, and the database file would grow with them (it never shrinks,
 * it only reuses freed pages). So once the dropped bodies still in grace
 * weigh more than `maxDropped` bytes, the oldest go at once; a reader still
 * streaming one of them then ends with a partial-body error, which is
 * preferred to an unbounded file.
 *
 * @module
 */

import { commitWithRetry, retryLocked } from "./atomic_retry.ts";
import { deleteChunks } from "./bulk_delete.ts";
import type { Pending } from "./entry_writer.ts";
import type { StoreKv } from "./store_kv.ts";
import { type Key, ROOT } from "./store_layout.ts";

/** The value of a `g` record: when the body was dropped, and its size. */
export interface Dropped {
  t: number;
  size?: number;
}

/**
 * Deletes the chunks of dropped bodies after `graceMs` (or at once, oldest
 * first, while those in grace weigh more than `maxDropped` bytes) and of
 * abandoned writes (no chunk written for `staleWriteMs`).
 */
export async function collectGarbage(
  kv: StoreKv,
  graceMs: number,
  staleWriteMs: number,
  maxDropped: number = Infinity,
): Promise<void> {
  for (const [kind, age] of [["g", graceMs], ["p", staleWriteMs]] as const) {
    const due: string[] = [];
    const young: Array<{ id: string; t: number; size: number }> = [];
    let youngBytes = 0;
    for await (const item of kv.list<unknown>({ prefix: [...ROOT, kind] })) {
      const id = item.key[item.key.length - 1];
      const { t, size } = (item.value ?? {}) as { t?: unknown; size?: unknown };
      if (typeof id !== "string") continue;
      if (typeof t !== "number" || Date.now() - t >= age) due.push(id);
      else if (kind === "g") {
        const bytes = typeof size === "number" && size > 0 ? size : 0;
        young.push({ id, t, size: bytes });
        youngBytes += bytes;
      }
    }
    young.sort((a, b) => a.t - b.t);
    for (const body of young) {
      if (youngBytes <= maxDropped) break;
      due.push(body.id);
      youngBytes -= body.size;
    }
    for (const id of due) {
      const record: Key = [...ROOT, kind, id];
      if (kind === "p") {
        // Claim it first, so that a writer that comes back cannot commit over deleted chunks.
        const claimed = await commitWithRetry(async () => {
          const current = await kv.get<Pending>(record);
          if (current.value === null || current.value.dead) return null;
          if (Date.now() - current.value.t < age) return null;
          return {
            op: kv.atomic().check(current).set(record, { t: current.value.t, dead: true }),
          };
        });
        const now = await kv.get<Pending>(record);
        if (!claimed && !now.value?.dead) continue;
      }
      await deleteChunks(kv, id);
      await retryLocked(() => kv.delete(record));
    }
  }
}
