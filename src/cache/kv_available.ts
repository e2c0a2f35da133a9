/**
 * Whether Deno KV is available, answered without loading the store's
 * modules (a request never loads them while no cache was started).
 *
 * @module
 */

/** The error without Deno KV: names the flag. */
export const KV_UNAVAILABLE =
  'Deno KV is not available: run with --unstable-kv (or set "unstable": ["kv"] in deno.json)';

/** `true` when Deno KV is available (`--unstable-kv` or `"unstable": ["kv"]`). */
export function kvAvailable(): boolean {
  return typeof (Deno as { openKv?: unknown }).openKv === "function";
}
