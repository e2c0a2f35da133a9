/**
 * The transport router: the one place that decides which transport carries
 * a hop, so every method (TRACE included) gets the proxy, trust and DNS
 * settings of its request.
 *
 * - `socket` when `fetch` cannot send it: a forbidden method (TRACE, TRACK,
 *   CONNECT), TLS control (`transport.tls`), or `prefer: "socket"`; and by
 *   default for http and https that HTTP/1.1 suits (see
 *   {@linkcode useSocketByDefault});
 * - `relay` (`fetch` through the loopback SOCKS relay) when a request left
 *   to `fetch` (HTTP/2, an extra CA, a streamed body) needs its own DNS
 *   servers, an address family or an exact connect limit, or
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
import type { HopProxy, Transport, TransportFactory, TransportSettings } from "./transport.ts";

/**
 * The factories of the transports that are not `fetch`: the socket-level
 * engine plugs in here (one line) or per router with
 * {@linkcode TransportRouter.register}.
 */
const FACTORIES: ReadonlyMap<"socket", TransportFactory> = new Map([
  ["socket", (settings, context) => loadEngine().then((engine) => engine(settings, context))],
]);

/**
 * The engine's modules (and `node:net`, which starts Deno's Node layer)
 * load with the first request that goes to it: importing the library, or a
 * process that only uses `fetch`, never loads them.
 */
function loadEngine(): Promise<TransportFactory> {
  return import("./wire/http1_transport.ts").then((engine) => engine.http1TransportFactory);
}

/** Methods `fetch` throws "Method is forbidden" for (the Fetch standard's forbidden methods). */
export const FETCH_FORBIDDEN_METHODS: ReadonlySet<string> = new Set(["CONNECT", "TRACE", "TRACK"]);

/**
 * The switch: `true` (the default) sends http and https requests that
 * HTTP/1.1 suits over the socket-level engine, measured cheaper than `fetch`
 * (docs/transports.md); `false` keeps them on `fetch`. Either way HTTP/2,
 * streamed bodies and extra CAs stay on `fetch`, and TRACE, TRACK, CONNECT
 * and TLS control go to the engine.
 */
let socketByDefault = true;

/**
 * How many requests the engine would carry by default go to `fetch` first
 * while it is the built-in default: loading the engine (its modules,
 * `node:net` and Deno's Node layer) costs about 100M instructions (`import`
 * of mod.ts and one GET: 208M on `fetch`, 313M on the engine, valgrind), what
 * it saves over `fetch` in some 700 small requests, so a process that sends
 * a few requests is done sooner on `fetch`. The engine starts loading with
 * the last of them, and `fetch` carries the next ones until it has loaded.
 * 0 switches at once.
 */
const ENGINE_WARMUP = 32;

/** Default requests still to send on `fetch` before the engine loads. */
let warmupLeft = ENGINE_WARMUP;

/** The engine takes default requests now (loaded, or asked for at once). */
let engineNow = false;

/**
 * Turns the default use of the socket-level engine on or off (benchmarks,
 * tests comparing the paths) and returns the previous setting.
 *
 * @param on whether HTTP/1.1-compatible requests go to the engine
 * @param warmup how many of them go to `fetch` first, the engine loading
 *   with the last of them (0: the engine from the next request on)
 * @returns the previous setting
 *
 * @example
 * ```ts
 * import { useSocketByDefault } from "./router.ts";
 * const before = useSocketByDefault(true); // plain requests on the engine
 * useSocketByDefault(before);
 * ```
 */
export function useSocketByDefault(on: boolean, warmup = 0): boolean {
  const before = socketByDefault;
  socketByDefault = on;
  warmupLeft = warmup;
  engineNow = warmup === 0;
  return before;
}

/**
 * https joins plain http on the engine by default: measured cheaper than
 * `fetch` there too (docs/transports.md, Status).
 */
let httpsOnEngine = true;

/**
 * Whether https requests without TLS control go where plain http goes (the
 * engine, while it is the default) or stay on `fetch` (benchmarks, tests
 * comparing the paths); returns the previous setting. On by default.
 *
 * @param on whether https goes where plain http goes
 * @returns the previous setting
 *
 * @example
 * ```ts
 * import { useSocketForHttps } from "./router.ts";
 * const before = useSocketForHttps(true);
 * useSocketForHttps(before);
 * ```
 */
export function useSocketForHttps(on: boolean): boolean {
  const before = httpsOnEngine;
  httpsOnEngine = on;
  return before;
}

/** Whether the engine takes a default request now; counts the warm-up and starts the load. */
function engineWarm(): boolean {
  if (engineNow) return true;
  if (warmupLeft > 0 && --warmupLeft === 0) {
    loadEngine().then(() => engineNow = true, () => {});
  }
  return false;
}

const NO_OPTIONS = {};

/**
 * Whether the engine carries `request` by default: http or https (see
 * {@linkcode useSocketForHttps}) where HTTP/1.1 is acceptable (not `http2`),
 * the body is not streamed, no extra CA is given, and the engine is warm
 * (see {@linkcode ENGINE_WARMUP}). A request with an extra CA stays on
 * `fetch`: node:tls can add one to the default roots only with
 * `--allow-sys` (`fetch` always can), and `fetch` reads the file for every
 * request, so a missing permission fails alike.
 */
function socketSuits(
  request: CoreRequest,
  url: URL,
  options: TransportOptions | undefined,
): boolean {
  if (request.protocol === "http2") return false;
  if (url.protocol !== "http:" && !(httpsOnEngine && url.protocol === "https:")) return false;
  // A streamed body is usually a large one, which fetch reads 2-4x faster than node:net here
  // (256 MiB: fetch 300-520 MB/s, node:net alone 100-150 MB/s, the engine's stream 0.34x
  // fetch's at twice its peak RSS; bench/stream_client.ts with BENCH_SOCKET=1).
  if (request.bodyMode === "stream") return false;
  return !options?.caPath && !options?.caData && engineWarm();
}

/** Picks and owns the transports of one stack. */
export class TransportRouter {
  readonly #pool: ClientPool;
  readonly #factories = new Map(FACTORIES);
  readonly #built = new Map<string, Promise<Transport>>();
  /** The keys in `#built` of settings with a plain key (see {@linkcode TransportRouter.release}). */
  readonly #plainBuilt = new Set<string>();
  /** Built socket transports by {@linkcode plainKey}, for a synchronous route. */
  #ready = new Map<string, Transport>();
  /** Built socket transports of other settings, by options object and hop, for a synchronous route. */
  #readyByObject = new WeakMap<object, Map<string, Transport>>();
  /** The last hop found by its plain key, to find the next one with the same options object. */
  #lastPlain: {
    readonly options: TransportOptions | undefined;
    readonly protocol: string;
    readonly connectTimeout: number;
    readonly transport: Transport;
  } | null = null;
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
    this.#drop(false);
  }

  /**
   * The transport for one hop of `request` to `url`: synchronous for the
   * default path (plain `fetch`), a promise the first time a set of settings
   * needs its transport built.
   */
  route(request: CoreRequest, url: URL): Transport | Promise<Transport> {
    const options = request.transport;
    const forbidden = FETCH_FORBIDDEN_METHODS.has(request.method.toUpperCase());
    if (options === undefined) {
      if (forbidden || (socketByDefault && socketSuits(request, url, undefined))) {
        return this.#socket(request, url, undefined);
      }
      return this.#pool.route(request, url);
    }
    const prefer = options.prefer;
    if (
      prefer === "socket" ||
      (prefer === undefined &&
        (forbidden || options.tls || (socketByDefault && socketSuits(request, url, options))))
    ) {
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

  /**
   * Closes the transports that hold something (`fetch` clients, the relay,
   * resolvers of their own); requests still using them fail. The router stays
   * usable. Socket transports of plain settings stay: they own nothing (their
   * idle connections are the shared pool's, unref'd, and they resolve names
   * with the system's resolver), and a program that creates and destroys a
   * request object per request let go of the last holder often enough to
   * rebuild them for one request in five.
   */
  release(): void {
    this.#drop(true);
  }

  #drop(keepPlain: boolean): void {
    this.#pool.release();
    for (const [key, built] of this.#built) {
      if (keepPlain && this.#plainBuilt.has(key)) continue;
      built.then((t) => t.close(), () => {});
      this.#built.delete(key);
    }
    if (!keepPlain) {
      this.#plainBuilt.clear();
      this.#ready = new Map();
      this.#lastPlain = null;
    }
    this.#readyByObject = new WeakMap();
  }

  /** Closes every transport for good. */
  close(): void {
    this.#pool.close();
    this.#drop(false);
  }

  #socket(
    request: CoreRequest,
    url: URL,
    options: TransportOptions | undefined,
  ): Transport | Promise<Transport> {
    const connectTimeout = connectLimited(request) ? request.connectTimeout : 0;
    // The same options object (a face shares one for default settings) as the last plain hop.
    const last = this.#lastPlain;
    if (
      last !== null && last.options === options && last.protocol === request.protocol &&
      last.connectTimeout === connectTimeout
    ) return last.transport;
    const proxy = hopProxy(options, url);
    // Settings of plain values have a short exact key, whichever object carries them (a face may
    // build one per request); others are keyed by their object before paying for the JSON key.
    const plain = plainKey(request.protocol, options, proxy, connectTimeout);
    if (plain !== null) {
      const ready = this.#ready.get(plain);
      if (ready) {
        // Plain settings route alike whatever the URL: the next hop may skip the key.
        this.#lastPlain = { options, protocol: request.protocol, connectTimeout, transport: ready };
        return ready;
      }
    } else {
      const ready = this.#readyByObject.get(options ?? NO_OPTIONS)?.get(
        identityKey(request.protocol, proxy, connectTimeout),
      );
      if (ready) return ready;
    }
    const settings: TransportSettings = {
      protocol: request.protocol,
      options,
      proxy,
      connectTimeout,
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
      if (plain !== null) this.#plainBuilt.add(key);
      built.catch(() => {
        this.#built.delete(key);
        this.#plainBuilt.delete(key);
      });
    }
    if (typeof proxy === "string") {
      built.then((transport) => {
        if (this.#built.get(key) !== built) return;
        if (plain !== null) this.#ready.set(plain, transport);
        else {
          let map = this.#readyByObject.get(options ?? NO_OPTIONS);
          if (!map) this.#readyByObject.set(options ?? NO_OPTIONS, map = new Map());
          map.set(identityKey(request.protocol, proxy, connectTimeout), transport);
        }
      }, () => {});
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

/** The JSON key of any settings: exact, and costly enough to pay once per settings. */
function settingsKey(settings: TransportSettings): string {
  return JSON.stringify(settings, (_name, value) => {
    if (typeof value !== "function") return value;
    let id = functionIds.get(value);
    if (id === undefined) functionIds.set(value, id = ++nextFunctionId);
    return `function#${id}`;
  });
}

/** The hop-dependent part of the settings of one options object. */
function identityKey(protocol: string, proxy: HopProxy, connectTimeout: number): string {
  return `${protocol}|${typeof proxy === "string" ? proxy : "proxy"}|${connectTimeout}`;
}

/**
 * An exact key for settings whose options are all plain values (no CA, client
 * certificate, resolvers, TLS control or proxy server): every field in a fixed
 * order, the only free text (`caPath`) last, so no two settings share a key.
 * `null` for other settings.
 */
function plainKey(
  protocol: string,
  options: TransportOptions | undefined,
  proxy: HopProxy,
  connectTimeout: number,
): string | null {
  if (typeof proxy !== "string" || !KNOWN_PROTOCOLS.has(protocol)) return null;
  const head = `${protocol}|${proxy}|${connectTimeout}`;
  if (options === undefined) return head;
  const { caPath, addressFamily, reuseConnections, idleConnectionTimeout, prefer } = options;
  if (
    options.clientCert !== null || options.dns !== null || (options.caData ?? null) !== null ||
    (options.tls ?? null) !== null ||
    (options.proxy !== "direct" && options.proxy !== "environment") ||
    typeof options.exactConnectTimeout !== "boolean" ||
    (addressFamily !== 4 && addressFamily !== 6 && addressFamily != null) ||
    (reuseConnections !== undefined && typeof reuseConnections !== "boolean") ||
    (idleConnectionTimeout !== undefined && typeof idleConnectionTimeout !== "number") ||
    (prefer !== undefined && prefer !== "socket") ||
    (caPath !== null && typeof caPath !== "string")
  ) return null;
  return `${head}|${options.proxy}|${options.exactConnectTimeout}|${addressFamily}|${reuseConnections}|${idleConnectionTimeout}|${prefer}|${
    caPath === null ? "-" : `+${caPath}`
  }`;
}

const KNOWN_PROTOCOLS: ReadonlySet<string> = new Set(["auto", "http1.1", "http2"]);

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
