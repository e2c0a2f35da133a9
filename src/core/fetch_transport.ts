/**
 * The `fetch` transport, plain or through the loopback relay: one
 * `Deno.HttpClient` (or none, for Deno's default client) per set of
 * settings. Built by the client pool (`clients.ts`); the router picks it.
 *
 * @module
 */

import { toFetchBody } from "./body.ts";
import { classifyError, type NetError } from "./errors.ts";
import type { ConnectionPhases } from "./relay.ts";
import type { ConnectionFacts, Transport, WireRequest, WireResponse } from "./transport.ts";

/** What only the client's route knows about a hop it carried. */
export interface RouteInsight {
  /** A better account of a failed `fetch` to `url` sent at `since` (`performance.now()`). */
  explain(error: NetError, url: URL, since: number): NetError;
  /** The phases of the new connection that carried the request to `url`, `null` if none was seen. */
  phases(url: URL, since: number): ConnectionPhases | null;
}

const NO_INSIGHT: RouteInsight = { explain: (error) => error, phases: () => null };

/** `fetch` with one client: Deno's default (`undefined`) or one made for a set of settings. */
export class FetchTransport implements Transport {
  readonly kind: "fetch" | "relay";
  /** The client handed to `fetch`; `undefined` for Deno's default. */
  readonly client: Deno.HttpClient | undefined;
  /** `true` when the relay enforces the connect limit on each new connection. */
  readonly enforcesConnectTimeout: boolean;
  readonly #insight: RouteInsight;
  readonly #viaProxy: boolean;

  /**
   * @param kind `"relay"` when the client goes through the loopback relay
   * @param client the client, or `undefined` for Deno's default
   * @param options what the route knows: connect limit, proxy, failure and phase insight
   */
  constructor(
    kind: "fetch" | "relay",
    client: Deno.HttpClient | undefined,
    options: { enforcesConnectTimeout?: boolean; viaProxy?: boolean; insight?: RouteInsight } = {},
  ) {
    this.kind = kind;
    this.client = client;
    this.enforcesConnectTimeout = options.enforcesConnectTimeout ?? false;
    this.#viaProxy = options.viaProxy ?? false;
    this.#insight = options.insight ?? NO_INSIGHT;
  }

  /** Sends one hop with `fetch` (redirects not followed). */
  async send(request: WireRequest): Promise<WireResponse> {
    const sentAt = performance.now();
    let response: Response;
    try {
      response = await fetch(request.url.href, fetchInit(request, this.client));
    } catch (error) {
      if (request.signal.aborted) throw error;
      throw this.#insight.explain(classifyError(error, "connect"), request.url, sentAt);
    }
    const phases = this.#insight.phases(request.url, sentAt);
    return new FetchResponse(response, phases ? this.#facts(phases) : null);
  }

  /** Closes the client (not Deno's default). */
  close(): void {
    this.client?.close();
  }

  #facts(phases: ConnectionPhases): ConnectionFacts {
    return {
      localAddress: null,
      localPort: null,
      remoteAddress: null,
      remotePort: null,
      reused: false,
      tlsVersion: null,
      cipher: null,
      protocol: null,
      viaProxy: this.#viaProxy,
      phases: { dns: phases.dns, tcp: phases.tcp, tls: phases.tls },
    };
  }
}

/** A `fetch` response as the transport contract has it, with `fetch`'s fast whole-body read. */
class FetchResponse implements WireResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  readonly connection: ConnectionFacts | null;
  readonly #response: Response;

  constructor(response: Response, connection: ConnectionFacts | null) {
    this.#response = response;
    this.status = response.status;
    this.statusText = response.statusText;
    this.headers = response.headers;
    this.body = response.body;
    this.connection = connection;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#response.arrayBuffer();
  }
}

/**
 * The `fetch` options of one hop. Headers go as a plain record, or not at
 * all when there are none: `fetch` copies a `Headers` object through its
 * slow iterator, and converts a list of pairs at about three times the cost
 * of a record. A name seen twice (only `set-cookie` can be) sends a list.
 */
function fetchInit(
  request: WireRequest,
  client: Deno.HttpClient | undefined,
): RequestInit & { client?: Deno.HttpClient } {
  const init: RequestInit & { client?: Deno.HttpClient } = {
    method: request.method,
    redirect: "manual",
    signal: request.signal,
  };
  let record: Record<string, string> | null = null;
  let repeated = false;
  request.headers.forEach((value, name) => {
    // No prototype: a header named `__proto__` is a plain key.
    record ??= { __proto__: null } as unknown as Record<string, string>;
    if (name in record) repeated = true;
    else record[name] = value;
  });
  if (record) init.headers = repeated ? pairs(request.headers) : record;
  const body = request.body;
  if (body) {
    const progress = request.onUploadProgress;
    init.body = toFetchBody(body, progress && ((sent) => progress(sent, body.size)));
  }
  if (client) init.client = client;
  return init;
}

function pairs(headers: Headers): [string, string][] {
  const list: [string, string][] = [];
  headers.forEach((value, name) => list.push([name, value]));
  return list;
}
