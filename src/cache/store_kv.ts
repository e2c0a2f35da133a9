/**
 * The part of `Deno.Kv` the cache uses ({@linkcode StoreKv}), and the same
 * operations as plain messages ({@linkcode KvCall}), so that a database can
 * live out of reach — in a worker that is terminated when it stops
 * answering — and still look like a `Deno.Kv` to the store.
 *
 * @module
 */

/** The atomic operations the cache builds: checks, sets and deletes. */
export interface StoreAtomic {
  check(...checks: Deno.AtomicCheck[]): this;
  set(key: Deno.KvKey, value: unknown): this;
  delete(key: Deno.KvKey): this;
  commit(): Promise<Deno.KvCommitResult | Deno.KvCommitError>;
}

/** The subset of `Deno.Kv` the store needs; a `Deno.Kv` is one. */
export interface StoreKv {
  get<T = unknown>(key: Deno.KvKey): Promise<Deno.KvEntryMaybe<T>>;
  getMany<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
  ): Promise<{ [K in keyof T]: Deno.KvEntryMaybe<T[K]> }>;
  list<T = unknown>(
    selector: Deno.KvListSelector,
    options?: Deno.KvListOptions,
  ): AsyncIterable<Deno.KvEntry<T>>;
  atomic(): StoreAtomic;
  delete(key: Deno.KvKey): Promise<void>;
  close(): void;
}

/** One change of an atomic. */
export type KvMutation =
  | { readonly type: "set"; readonly key: Deno.KvKey; readonly value: unknown }
  | { readonly type: "delete"; readonly key: Deno.KvKey };

/** One store operation as a message (structured-clone safe). */
export type KvCall =
  | { readonly op: "get"; readonly key: Deno.KvKey }
  | { readonly op: "getMany"; readonly keys: Deno.KvKey[] }
  | {
    readonly op: "list";
    readonly selector: Deno.KvListSelector;
    readonly options?: Deno.KvListOptions;
  }
  | {
    readonly op: "commit";
    readonly checks: Deno.AtomicCheck[];
    readonly mutations: KvMutation[];
  }
  | { readonly op: "delete"; readonly key: Deno.KvKey };

/** Runs one call on an open database; a list comes back whole. */
export async function runCall(kv: Deno.Kv, call: KvCall): Promise<unknown> {
  switch (call.op) {
    case "get":
      return await kv.get(call.key);
    case "getMany":
      return await kv.getMany(call.keys);
    case "list":
      return await Array.fromAsync(kv.list(call.selector, call.options));
    case "delete":
      return await kv.delete(call.key);
    case "commit": {
      const op = kv.atomic().check(...call.checks);
      for (const m of call.mutations) {
        if (m.type === "set") op.set(m.key, m.value);
        else op.delete(m.key);
      }
      return await op.commit();
    }
  }
}

/** An atomic that records its checks and changes and hands them to `send` on commit. */
export class RecordedAtomic implements StoreAtomic {
  readonly #checks: Deno.AtomicCheck[] = [];
  readonly #mutations: KvMutation[] = [];
  readonly #send: (call: KvCall) => Promise<unknown>;

  /** @param send runs the commit call */
  constructor(send: (call: KvCall) => Promise<unknown>) {
    this.#send = send;
  }

  check(...checks: Deno.AtomicCheck[]): this {
    for (const { key, versionstamp } of checks) this.#checks.push({ key, versionstamp });
    return this;
  }

  set(key: Deno.KvKey, value: unknown): this {
    this.#mutations.push({ type: "set", key, value });
    return this;
  }

  delete(key: Deno.KvKey): this {
    this.#mutations.push({ type: "delete", key });
    return this;
  }

  commit(): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    return this.#send({
      op: "commit",
      checks: this.#checks,
      mutations: this.#mutations,
    }) as Promise<
      Deno.KvCommitResult | Deno.KvCommitError
    >;
  }
}
