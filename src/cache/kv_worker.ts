/**
 * The worker that holds a remote (KV Connect) database for
 * `worker_backend.ts`: it opens the database and runs the calls it is sent.
 * Deno's KV Connect client retries an unreachable server without end; here
 * that retrying can be ended by terminating the worker.
 *
 * Messages in: `{ open: location }`, then `{ id, call }`. Out: `{ id, value }`
 * or `{ id, error: { name, message } }` (`id` 0 answers the open).
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import { type KvCall, runCall } from "./store_kv.ts";

let kv: Deno.Kv | null = null;

parentPort?.on("message", async (message: { open?: string; id?: number; call?: KvCall }) => {
  const id = message.id ?? 0;
  try {
    if (message.open !== undefined) {
      kv = await Deno.openKv(message.open);
      parentPort?.postMessage({ id, value: null });
    } else if (kv && message.call) {
      parentPort?.postMessage({ id, value: await runCall(kv, message.call) });
    } else {
      throw new Error("the cache store is not open");
    }
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    parentPort?.postMessage({ id, error: { name, message } });
  }
});
