/**
 * A remote (KV Connect) store held in a worker, so that it can be cut off:
 * a call that never ends (the server is gone and Deno's client retries it
 * without end) is ended by terminating the worker, which also stops it from
 * writing later and from keeping the process alive. The worker is ref'd
 * only while a caller waits for an answer.
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { type KvBackend, StoreUnavailableError } from "./bounded_kv.ts";
import type { KvCall } from "./store_kv.ts";

interface Waiting {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  background: boolean;
}

/** A KV Connect database in a worker. */
export class WorkerBackend implements KvBackend {
  readonly #location: string;
  #worker: Worker | null = null;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #refs = 0;
  #closed = false;

  /** @param location the KV Connect URL */
  constructor(location: string) {
    this.#location = location;
  }

  /** Starts a worker and opens the database in it; rejects with the open's error. */
  reopen(background = true): Promise<void> {
    this.cut();
    if (this.#closed) return Promise.reject(new StoreUnavailableError("the cache store is closed"));
    const worker = new Worker(new URL("./kv_worker.ts", import.meta.url));
    worker.unref();
    this.#worker = worker;
    worker.on("message", (message: { id: number; value?: unknown; error?: Error }) => {
      const waiting = this.#waiting.get(message.id);
      if (!waiting || this.#worker !== worker) return;
      this.#settled(message.id, waiting);
      if (message.error) {
        waiting.reject(
          Object.assign(new Error(message.error.message), { name: message.error.name }),
        );
      } else waiting.resolve(message.value);
    });
    worker.on("error", (error: unknown) => {
      if (this.#worker === worker) this.#abandon(`the cache store worker failed: ${error}`);
    });
    worker.on("exit", () => {
      if (this.#worker === worker) this.#abandon("the cache store worker ended");
    });
    return this.#send(0, { open: this.#location }, background) as Promise<void>;
  }

  call(call: KvCall, background = false): Promise<unknown> {
    if (!this.#worker) {
      return Promise.reject(new StoreUnavailableError("the cache store is cut off"));
    }
    return this.#send(this.#nextId++, { call }, background);
  }

  cut(): void {
    const worker = this.#worker;
    if (!worker) return;
    this.#abandon("the cache store was cut off");
    worker.terminate();
  }

  close(): void {
    this.#closed = true;
    this.cut();
  }

  #send(id: number, message: object, background: boolean): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, background });
      if (!background && this.#refs++ === 0) this.#worker!.ref();
      this.#worker!.postMessage({ id, ...message });
    });
  }

  #settled(id: number, waiting: Waiting): void {
    this.#waiting.delete(id);
    if (!waiting.background && --this.#refs === 0) this.#worker?.unref();
  }

  /** Rejects every waiting call; the worker is no longer used. */
  #abandon(reason: string): void {
    this.#worker = null;
    this.#refs = 0;
    const waiting = [...this.#waiting.values()];
    this.#waiting.clear();
    for (const w of waiting) w.reject(new StoreUnavailableError(reason));
  }
}
