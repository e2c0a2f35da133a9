/**
 * Garbage collection of body chunks nobody points at: those of replaced or
 * evicted entries (`g` records), deleted after a grace period so that a
 * reader that found the entry just before can still read its body, and
 * those of abandoned writes (`p` records not refreshed for a while).
 *
 * @module
 */

import { commitWithRetry, retryLocked } from "./atomic_retry.ts";
import { deleteChunks } from "./bulk_delete.ts";
import type { Pending } from "./entry_writer.ts";
import { type Key, ROOT } from "./store_layout.ts";

/**
 * Deletes the chunks of dropped bodies after `graceMs` and of abandoned
 * writes (no chunk written for `staleWriteMs`).
 */
export async function collectGarbage(
  kv: Deno.Kv,
  graceMs: number,
  staleWriteMs: number,
): Promise<void> {
  for (const [kind, age] of [["g", graceMs], ["p", staleWriteMs]] as const) {
    const due: string[] = [];
    for await (const item of kv.list<unknown>({ prefix: [...ROOT, kind] })) {
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
