/**
 * The transport router: the one place that decides which transport carries
 * a hop, so every method (TRACE included) gets the proxy, trust and DNS
 * settings of its request.
 *
 * - `socket` when `fetch` cannot send it: a forbidden method (TRACE, TRACK,
 *   CONNECT), TLS control (`transport.tls`), or `prefer: "socket"`;
 * - `relay` (`fetch` through the loopback SOCKS relay) when the request needs
 *   its own DNS servers, an address family or an exact connect limit, or
 *   `prefer: "relay"`;
 * - `fetch` otherwise: Deno's default client, or one made for the settings.
 *
 * Each transport instance serves one set of settings (one pool of
 * connections), built on first use and reused until the router is released.
 * A transport that cannot honour what a request needs refuses it with
 * `NOT_SUPPORTED` naming the option; nothing is sent without it.
 *
 * @module
 */

import { bytesBody } from "./body.ts";
import { ClientPool, connectLimited, hopProxy } from "./clients.ts";
import type { DohAnswer } from "./dns.ts";
import { notSupported } from "./errors.ts";
import { FetchTransport } from "./fetch_transport.ts";
import { networkExchange } from "./pipeline.ts";
import type { CoreRequest, Dispatch, TransportOptions } from "./request.ts";
import { http1TransportFactory } from "./wire/http1_transport.ts";
import type { Transport, TransportFactory, TransportSettings } from "./transport.ts";

/**
 * The factories of the transports that are not `fetch`: the socket-level
 * engine plugs in here (one line) or per router with
 * {@linkcode TransportRouter.register}.
 */
const FACTORIES: ReadonlyMap<"socket", TransportFactory> = new Map([
  ["socket", http1TransportFactory],
]);

/** Methods `fetch` throws "Method is forbidden" for (the Fetch standard's forbidden methods). */
export const FETCH_FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);

/** Picks and owns the transports of one stack. */
export class TransportRouter {
  readonly #pool: ClientPool;
  readonly #factories = new Map(FACTORIES);
  readonly #built = new Map<string, Promise<Transport>>();
  readonly #limited = new WeakSet<Transport>();
  #doh: Dispatch | null = null;

  constructor() {
    this.#pool = new ClientPool((url, query, signal, transport) =>
      this.#dohQuery(url, query, signal, transport)
    );
  }

  /**
   * Replaces the factory of the `socket` transport for this router (tests,
   * benchmarks; the default is set in `router.ts`).
   *
   * @param kind the transport the factory builds
   * @param factory builds a transport for one set of settings
   */
  register(kind: "socket", factory: TransportFactory): void {
    this.#factories.set(kind, factory);
    this.release();
  }

  /**
   * The transport for one hop of `request` to `url`: synchronous for the
   * default path (plain `fetch`), a promise the first time a set of settings
   * needs its transport built.
   */
  route(request: CoreRequest, url: URL): Transport | Promise<Transport> {
    const options = request.transport;
    if (options === undefined) {
      if (!FETCH_FORBIDDEN_METHODS.has(request.method.toUpperCase())) {
        return this.#pool.route(request, url);
      }
      return this.#socket(request, url, undefined);
    }
    const prefer = options.prefer;
    const forbidden = FETCH_FORBIDDEN_METHODS.has(request.method.toUpperCase());
    if (prefer === "socket" || (prefer === undefined && (forbidden || options.tls))) {
      return this.#socket(request, url, options);
    }
    if (forbidden) {
      throw notSupported("method", prefer!, `${request.method} cannot be sent by fetch`);
    }
    if (options.tls) throw notSupported("tls", prefer!, "needs the socket transport");
    return this.#pool.route(request, url, prefer);
  }

  /** `true` when `transport` enforces the request's connect limit on each new connection. */
  enforcesConnectTimeout(transport: Transport): boolean {
    return transport instanceof FetchTransport
      ? transport.enforcesConnectTimeout
      : this.#limited.has(transport);
  }

  /** Closes every transport; requests still using them fail. The router stays usable. */
  release(): void {
    this.#pool.release();
    for (const built of this.#built.values()) built.then((t) => t.close(), () => {});
    this.#built.clear();
  }

  /** Closes every transport for good. */
  close(): void {
    this.#pool.close();
    for (const built of this.#built.values()) built.then((t) => t.close(), () => {});
    this.#built.clear();
  }

  #socket(
    request: CoreRequest,
    url: URL,
    options: TransportOptions | undefined,
  ): Promise<Transport> {
    const settings: TransportSettings = {
      protocol: request.protocol,
      options,
      proxy: hopProxy(options, url),
      connectTimeout: connectLimited(request) ? request.connectTimeout : 0,
    };
    const key = settingsKey(settings);
    let built = this.#built.get(key);
    if (!built) {
      const factory = this.#factories.get("socket")!;
      built = (async () => {
        const transport = await factory(settings, { resolver: this.#pool.resolver(options) });
        if (settings.connectTimeout > 0) this.#limited.add(transport);
        return transport;
      })();
      this.#built.set(key, built);
      built.catch(() => this.#built.delete(key));
    }
    return built;
  }

  /** One RFC 8484 query, sent straight to the network (no cache, cookies or redirects). */
  async #dohQuery(
    url: URL,
    query: Uint8Array,
    signal: AbortSignal | undefined,
    transport: TransportOptions,
  ): Promise<DohAnswer> {
    this.#doh ??= networkExchange(this);
    const result = await this.#doh(dohRequest(url, query, signal, transport), {});
    return { status: result.head.status, body: result.body ?? new Uint8Array() };
  }
}

/** Functions (a TLS verification callback) have no JSON: each gets a number of its own. */
const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;

function settingsKey(settings: TransportSettings): string {
  return JSON.stringify(settings, (_name, value) => {
    if (typeof value !== "function") return value;
    let id = functionIds.get(value);
    if (id === undefined) functionIds.set(value, id = ++nextFunctionId);
    return `function#${id}`;
  });
}

/**
 * One RFC 8484 POST query. No time limits of its own: the caller's `signal`
 * (the relay's connect limit) bounds it. 65535 bytes is the largest DNS message.
 */
function dohRequest(
  url: URL,
  query: Uint8Array,
  signal: AbortSignal | undefined,
  transport: TransportOptions,
): CoreRequest {
  return {
    url,
    method: "POST",
    headers: new Headers({
      "content-type": "application/dns-message",
      accept: "application/dns-message",
    }),
    body: bytesBody(query),
    totalTimeout: 0,
    connectTimeout: 0,
    maxBodySize: 65535,
    protocol: "auto",
    maxRedirects: 0,
    bodyMode: "buffer",
    priority: 1000,
    cookies: null,
    startTime: performance.now(),
    signal: signal ?? null,
    cache: "no-store",
    transport,
  };
}
