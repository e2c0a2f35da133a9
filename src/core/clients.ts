/**
 * `Deno.HttpClient`s, one per configuration, reused across requests and
 * closed together. The default configuration needs no client: plain `fetch`.
 *
 * @module
 */

import type { Protocol } from "./request.ts";

/** Owns the clients of one face object; `close()` releases their connections. */
export class ClientPool {
  readonly #clients = new Map<Protocol, Deno.HttpClient>();

  /** The client for a configuration, or `undefined` when plain `fetch` will do. */
  get(protocol: Protocol): Deno.HttpClient | undefined {
    if (protocol === "auto") return undefined;
    let client = this.#clients.get(protocol);
    if (!client) {
      client = Deno.createHttpClient(
        protocol === "http2" ? { http1: false, http2: true } : { http1: true, http2: false },
      );
      this.#clients.set(protocol, client);
    }
    return client;
  }

  /** Closes every client. Requests still using one fail. */
  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
