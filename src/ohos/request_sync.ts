/**
 * `requestSync()`: a worker runs the request while the calling thread waits
 * on shared memory with `Atomics.wait` (Deno allows it on the main thread).
 * The blocked thread runs nothing meanwhile: no listeners, interceptors or
 * `remoteValidation` callbacks (functions cannot reach the worker: 401), and
 * the server must not be served by that same thread.
 *
 * @module
 */

import { NetError } from "../core/errors.ts";
import { toBusinessError } from "./errors.ts";
import { decodeOutcome, type SyncJob } from "./sync_codec.ts";
import type { HttpRequestOptions, HttpResponse } from "./types.ts";

/** The largest outcome: `maxLimit`'s maximum plus room for headers and cookies. */
const MAX_OUTCOME = 112 * 1024 * 1024;
/** How long past `readTimeout` to wait for a worker that does not answer. */
const GRACE_MS = 5_000;

/** How long an idle worker is kept for the next call: a live worker holds the process open. */
const IDLE_MS = 2_000;

/**
 * The worker of one `HttpRequest`: started by its first `requestSync()`
 * (loading the library in a worker takes several hundred ms), kept while
 * calls follow each other, stopped after {@linkcode IDLE_MS} idle or by `close()`.
 */
export class SyncWorker {
  #worker: Worker | null = null;
  #idle: ReturnType<typeof setTimeout> | undefined;

  /** The worker, started on first use. */
  get(): Worker {
    clearTimeout(this.#idle);
    if (this.#worker) return this.#worker;
    const module = new URL("./sync_worker.ts", import.meta.url);
    // A worker from a local file needs read access; without it the worker would die unseen
    // while this thread waits, so the missing permission is reported at once.
    if (
      module.protocol === "file:" &&
      Deno.permissions.querySync({ name: "read", path: module }).state !== "granted"
    ) {
      throw thrown(
        new NetError(
          "PERMISSION_DENIED",
          `requestSync starts a worker from ${module.pathname}: run with --allow-read for it`,
        ),
      );
    }
    return this.#worker = new Worker(module, { type: "module" });
  }

  /** Keeps the worker for a while; the timer itself holds nothing open. */
  idle(): void {
    clearTimeout(this.#idle);
    const timer = setTimeout(() => this.close(), IDLE_MS);
    Deno.unrefTimer(timer);
    this.#idle = timer;
  }

  /** Stops the worker (a later call starts a new one). */
  close(): void {
    // Without a worker there is no timer: `clearTimeout` alone would load Node's timers (Deno 2.9.6).
    if (!this.#worker) return;
    clearTimeout(this.#idle);
    this.#worker.terminate();
    this.#worker = null;
  }
}

/**
 * Runs `request(url, options)` in `worker` and blocks until it settles;
 * throws a `BusinessError`.
 */
export function requestSync(url: unknown, options: unknown, worker: SyncWorker): HttpResponse {
  if (typeof url !== "string") {
    throw thrown(new NetError("INVALID_ARGUMENT", "'url' must be a string"));
  }
  let job: SyncJob;
  try {
    job = structuredClone({
      url,
      options: options as HttpRequestOptions | undefined,
      control: new SharedArrayBuffer(8),
      data: new SharedArrayBuffer(0, { maxByteLength: MAX_OUTCOME }),
    });
  } catch (error) {
    throw thrown(
      new NetError(
        "INVALID_ARGUMENT",
        "'options' cannot be used by requestSync: it holds functions or other values a worker cannot receive (remoteValidation callbacks, signals)",
        { cause: error },
      ),
    );
  }
  worker.get().postMessage(job);
  const flags = new Int32Array(job.control);
  const read = (options as { readTimeout?: unknown } | undefined)?.readTimeout;
  const limit = typeof read === "number" && read > 0 ? read : 60_000;
  if (Atomics.wait(flags, 0, 0, read === 0 ? undefined : limit + GRACE_MS) === "timed-out") {
    worker.close(); // it may still be busy: the next call gets a fresh one
    throw thrown(new NetError("TIMEOUT", `requestSync had no answer after ${limit} ms`));
  }
  worker.idle();
  const outcome = decodeOutcome(new Uint8Array(job.data, 0, Atomics.load(flags, 1)).slice());
  if ("error" in outcome) throw businessError(outcome.error.code, outcome.error.message);
  return outcome.response;
}

function thrown(error: NetError): Error & { code: number } {
  const business = toBusinessError(error);
  return businessError(business.code, business.message);
}

/** What the declaration's `@throws { BusinessError }` means: an Error with a numeric `code`. */
function businessError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { name: "BusinessError", code });
}
