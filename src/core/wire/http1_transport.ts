/**
 * The socket-level HTTP/1.1 transport: one request per exchange over a
 * keep-alive connection from a process-wide pool, framed by RFC 9112,
 * decoded like `fetch` does, with the connection's real facts. Connections
 * come from a registered {@linkcode Connector} (TLS control, proxies,
 * resolvers) or from the plain one (node:net, node:tls).
 *
 * @module
 */

import { classifyError, NetError, notSupported } from "../errors.ts";
import { ipVersion } from "../ip_literal.ts";
import { LinkedList } from "../linked_list.ts";
import type { TransportOptions } from "../request.ts";
import type {
  ConnectionFacts,
  Transport,
  TransportFactory,
  TransportSettings,
  WireRequest,
  WireResponse,
} from "../transport.ts";
import {
  type Connector,
  type ConnectProgress,
  type ConnectTarget,
  findConnector,
  type SocketFacts,
} from "./connection.ts";
import { Http1Connection } from "./http1_connection.ts";
// Registers the connector for TLS control, proxies and resolvers.
import "./options_connector.ts";
import { plainAccepts, plainConnect } from "./plain_connector.ts";
import { ConnectionPool } from "./pool.ts";
import { headBytes, requestHead } from "./request_head.ts";
import { type BodyEnd, EngineResponse } from "./response_body.ts";
import type { ResponseHead } from "./response_head.ts";
import { startClientSpan, tracingEnabled } from "./telemetry.ts";

/** The connector of last resort: direct TCP or TLS with the runtime's verification. */
const PLAIN: Connector = { name: "plain", accepts: plainAccepts, connect: plainConnect };

/** The pool every socket-level transport shares, so connections outlive one client object. */
const sharedPool = new ConnectionPool();

/**
 * Closes every idle pooled connection of the process. Idle connections never
 * hold the process open; this is for a program that wants them gone now.
 *
 * @example
 * ```ts
 * import { closeIdleConnections } from "./http1_transport.ts";
 * closeIdleConnections();
 * ```
 */
export function closeIdleConnections(): void {
  sharedPool.close();
}

/** What one transport instance serves: the settings of every request it carries. */
export interface Http1Settings {
  /** Trust, client certificate, proxy, resolvers, TLS control, pooling; absent for defaults. */
  readonly options: TransportOptions | undefined;
  /** Limit in ms on opening each new connection (lookup, TCP, TLS); 0 for none. */
  readonly connectTimeout: number;
}

/**
 * The router's factory for the `socket` transport: one engine instance per
 * set of settings, all sharing the process-wide pool. HTTP/2 is refused.
 *
 * @example
 * ```ts
 * import { http1TransportFactory } from "./http1_transport.ts";
 * const transport = await http1TransportFactory(
 *   { protocol: "auto", options: undefined, proxy: "platform", connectTimeout: 0 },
 *   { resolver: { resolve: () => Promise.resolve([]) } },
 * );
 * transport.close();
 * ```
 */
export const http1TransportFactory: TransportFactory = (settings: TransportSettings): Transport => {
  if (settings.protocol === "http2") {
    throw notSupported(
      "protocol",
      "socket",
      "is HTTP/2, which the socket transport does not speak",
    );
  }
  return new Http1Transport({
    options: settings.options,
    connectTimeout: settings.connectTimeout,
  });
};

/** The Fetch standard's "bad ports", which `fetch` refuses to connect to. */
const BAD_PORTS: ReadonlySet<number> = new Set([
  0,
  1,
  7,
  9,
  11,
  13,
  15,
  17,
  19,
  20,
  21,
  22,
  23,
  25,
  37,
  42,
  43,
  53,
  69,
  77,
  79,
  87,
  95,
  101,
  102,
  103,
  104,
  109,
  110,
  111,
  113,
  115,
  117,
  119,
  123,
  135,
  137,
  139,
  143,
  161,
  179,
  389,
  427,
  465,
  512,
  513,
  514,
  515,
  526,
  530,
  531,
  532,
  540,
  548,
  554,
  556,
  563,
  587,
  601,
  636,
  989,
  990,
  993,
  995,
  1719,
  1720,
  1723,
  2049,
  3659,
  4045,
  4190,
  5060,
  5061,
  6000,
  6566,
  6665,
  6666,
  6667,
  6668,
  6669,
  6679,
  6697,
  10080,
]);

/** Where requests to one origin go. */
interface Route {
  /** `url.protocol` and `url.host` of the origin. */
  readonly protocol: string;
  readonly host: string;
  readonly target: ConnectTarget;
  readonly connector: Connector;
  /** The pool key: connector, target and every option that changes a connection. */
  readonly key: string;
}

/** The response-head limit of one exchange through a proxy in absolute form. */
interface HeadLimit {
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The timeout, once it has cut the exchange. */
  passed: NetError | null;
}

/** The phase a connect timeout cut, worded as the loopback relay words it. */
function phaseReached(progress: ConnectProgress, target: ConnectTarget): string {
  switch (progress.reached) {
    case "tcp":
      return "TCP up, TLS handshake not done";
    case "tunnel":
      return "proxy tunnel up, TLS handshake not done";
    case "proxy":
      return "TCP up to the proxy, tunnel not up";
    case "dns":
      return "name resolved, TCP not up";
    default:
      return ipVersion(target.hostname) ? "TCP not up" : "name not resolved";
  }
}

/** Methods a request may be retried with on a fresh connection (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);
/** Up to this many body bytes go out in one write with the head. */
const COALESCE = 64 * 1024;
const SLICE = 64 * 1024;
const encoder = new TextEncoder();

/**
 * The socket-level HTTP/1.1 transport for one set of settings.
 *
 * @example
 * ```ts
 * import { Http1Transport } from "./http1_transport.ts";
 * const transport = new Http1Transport({ options: undefined, connectTimeout: 0 });
 * transport.close();
 * ```
 */
export class Http1Transport implements Transport {
  readonly kind = "socket" as const;
  readonly #settings: Http1Settings;
  readonly #pool: ConnectionPool;
  /** The connections carrying an exchange, so that closing the transport fails them. */
  readonly #active = new LinkedList<Http1Connection>();
  readonly #plainRoutes = new Map<string, Route>();
  readonly #secureRoutes = new Map<string, Route>();
  #lastRoute: Route | null = null;
  #closed = false;

  /** @param pool the keep-alive pool; the process-wide one by default */
  constructor(settings: Http1Settings, pool: ConnectionPool = sharedPool) {
    this.#settings = settings;
    this.#pool = pool;
  }

  /** Sends `request` and resolves once the final response head is in. */
  send(request: WireRequest): Promise<WireResponse> {
    return tracingEnabled() ? this.#traced(request) : this.#send(request);
  }

  /** Sends `request` inside an HTTP client span that ends with its body. */
  async #traced(request: WireRequest): Promise<WireResponse> {
    const span = await startClientSpan(request.method, request.url, request.headers);
    let response: WireResponse;
    try {
      response = await this.#send({ ...request, headers: span.headers });
    } catch (error) {
      span.end(error);
      throw error;
    }
    span.status(response.status);
    if (!response.body) {
      span.end();
      return response;
    }
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            span.end();
            controller.close();
          } else controller.enqueue(value);
        } catch (error) {
          span.end(error);
          controller.error(error);
        }
      },
      cancel(reason) {
        span.end();
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
    return { ...response, body };
  }

  async #send(request: WireRequest): Promise<WireResponse> {
    // Only a connect limit needs the start time (a clock read costs).
    const start = this.#settings.connectTimeout > 0 ? performance.now() : 0;
    const { url, signal } = request;
    signal.throwIfAborted();
    if (this.#closed) throw new NetError("DESTROYED", "the transport is closed");
    const { target, connector, key } = this.#route(url);
    const options = this.#settings.options;
    const reuse = options?.reuseConnections !== false;
    let wire = reuse ? this.#pool.take(key) : null;
    let fresh = wire === null;
    for (;;) {
      if (!wire) wire = await this.#open(connector, target, key, signal);
      const current = wire;
      const exchange = new Exchange(current, signal, this.#active, this.#pool, options);
      // The exchange is the listener (no closure); no options object: converting one costs more
      // than the listener itself.
      signal.addEventListener("abort", exchange);
      this.#active.add(current.active);
      const headLimit = this.#headLimit(current, start);
      try {
        // The exchange, inline: an async method per request costs a promise and a frame.
        const { url, method, body } = request;
        const reused = current.exchanges > 0;
        const facts = current.conn.facts;
        const size = body && Number.isFinite(body.size) && body.size >= 0 ? body.size : null;
        const head = requestHead(
          url,
          method,
          request.headers,
          body ? { size } : null,
          facts,
          reuse,
        );
        if (!body) {
          const writing = current.write(headBytes(head.text));
          if (writing) await writing;
        } else await this.#writeBody(current, head.text, request, size);
        const response = await current.readHead(method, !head.close);
        return respond(exchange, method, response, reused);
      } catch (error) {
        exchange.failed();
        if (signal.aborted) throw signal.reason;
        if (headLimit?.passed) throw headLimit.passed;
        // A pooled connection the server closed meanwhile: once more on a new one.
        if (!fresh && current.untouched && IDEMPOTENT.has(request.method)) {
          wire = null;
          fresh = true;
          continue;
        }
        throw wireError(error, "connect", false);
      } finally {
        // Most exchanges have no head limit: no clearTimeout call (it converts its argument).
        if (headLimit) clearTimeout(headLimit.timer);
      }
    }
  }

  /**
   * Through a proxy in absolute form the proxy connects to the server, out
   * of sight: the connect limit then bounds the time until the response head
   * (as on the `fetch` path), counted from `start`. `null` when not needed.
   */
  #headLimit(wire: Http1Connection, start: number): HeadLimit | null {
    const limit = this.#settings.connectTimeout;
    if (limit <= 0 || wire.conn.facts.requestTarget !== "absolute") return null;
    const state: HeadLimit = { timer: undefined, passed: null };
    state.timer = setTimeout(() => {
      state.passed = new NetError("TIMEOUT", `no response head within ${limit} ms`, {
        details: { limit: "connect-time", max: limit, phase: "headers" },
      });
      wire.conn.close();
    }, Math.max(0, start + limit - performance.now()));
    return state;
  }

  /**
   * Where a request to `url` goes: its target, connector and pool key,
   * chosen once per origin (the choice reads proxy variables, which costs
   * more than a pooled exchange) and found again by scheme and host.
   */
  #route(url: URL): Route {
    const protocol = url.protocol;
    const host = url.host;
    const last = this.#lastRoute;
    if (last !== null && last.host === host && last.protocol === protocol) return last;
    const routes = protocol === "https:" ? this.#secureRoutes : this.#plainRoutes;
    let route = routes.get(host);
    if (!route) {
      route = this.#newRoute(url, protocol, host);
      routes.set(host, route);
    }
    return this.#lastRoute = route;
  }

  #newRoute(url: URL, protocol: string, host: string): Route {
    const secure = protocol === "https:";
    if (!secure && protocol !== "http:") {
      throw new NetError("UNSUPPORTED_PROTOCOL", `'${protocol}' over the socket transport`);
    }
    const port = url.port ? Number(url.port) : secure ? 443 : 80;
    if (BAD_PORTS.has(port)) {
      // As fetch refuses them: speaking HTTP to a mail or X11 port is a cross-protocol attack.
      throw new NetError(
        "CONNECT_FAILED",
        `Requests to port ${port} are blocked (the Fetch standard's bad ports)`,
      );
    }
    const hostname = url.hostname;
    const target: ConnectTarget = {
      hostname: hostname.charCodeAt(0) === 91 ? hostname.slice(1, -1) : hostname,
      port,
      secure,
    };
    const options = this.#settings.options;
    const connector = findConnector(target, options) ??
      (PLAIN.accepts(target, options) ? PLAIN : null);
    if (!connector) {
      throw notSupported("proxy", "socket", "has no connector on the socket transport");
    }
    return { protocol, host, target, connector, key: poolKey(connector.name, target, options) };
  }

  /** Fails the requests in flight; idle connections stay in the shared pool. */
  close(): void {
    this.#closed = true;
    this.#active.forEach((node) => {
      this.#active.delete(node);
      node.item.conn.close();
    });
  }

  async #open(
    connector: Connector,
    target: ConnectTarget,
    key: string,
    signal: AbortSignal,
  ): Promise<Http1Connection> {
    const options = this.#settings.options;
    if (!target.secure && options?.clientCert) {
      // `fetch` loads a client certificate for http too: a bad one fails the request alike.
      await (await import("../tls.ts")).loadClientIdentity(options.clientCert);
    }
    const limit = this.#settings.connectTimeout;
    if (limit <= 0) {
      return new Http1Connection(
        await connector.connect(target, this.#settings.options, signal),
        key,
      );
    }
    const controller = new AbortController();
    const progress: ConnectProgress = { reached: "start" };
    const timer = setTimeout(() => {
      const host = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
      controller.abort(
        new NetError(
          "TIMEOUT",
          `no connection to ${host}:${target.port} within ${limit} ms (${
            phaseReached(progress, target)
          })`,
          {
            details: {
              limit: "connect-time",
              max: limit,
              phase: progress.reached === "tcp" || progress.reached === "tunnel"
                ? "tls"
                : "connect",
              transport: "socket",
            },
          },
        ),
      );
    }, limit);
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      const conn = await connector.connect(
        target,
        this.#settings.options,
        controller.signal,
        progress,
      );
      return new Http1Connection(conn, key);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }

  async #writeBody(
    wire: Http1Connection,
    head: string,
    request: WireRequest,
    size: number | null,
  ): Promise<void> {
    const body = request.body!;
    const progress = request.onUploadProgress;
    const total = size ?? 0;
    if (body.bytes && size !== null) {
      const bytes = body.bytes;
      if (bytes.byteLength <= COALESCE) {
        const out = headBytes(head, bytes.byteLength);
        out.set(bytes, out.byteLength - bytes.byteLength);
        await wire.write(out);
        progress?.(bytes.byteLength, total);
        return;
      }
      await wire.write(headBytes(head));
      for (let offset = 0; offset < bytes.byteLength; offset += SLICE) {
        const end = Math.min(offset + SLICE, bytes.byteLength);
        await wire.write(bytes.subarray(offset, end));
        progress?.(end, total);
      }
      return;
    }
    await wire.write(headBytes(head));
    const reader = body.stream().getReader();
    let sent = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.byteLength === 0) continue;
        sent += value.byteLength;
        if (size !== null) {
          if (sent > size) {
            throw new NetError(
              "READ_FILE_FAILED",
              `the body grew beyond its size of ${size} bytes`,
            );
          }
          await wire.write(value);
        } else {
          await wire.write(encoder.encode(`${value.byteLength.toString(16)}\r\n`));
          await wire.write(value);
          await wire.write(CRLF);
        }
        progress?.(sent, total);
      }
    } catch (error) {
      reader.cancel(error).catch(() => {});
      throw error;
    }
    if (size === null) await wire.write(LAST_CHUNK);
    else if (sent !== size) {
      throw new NetError("READ_FILE_FAILED", `the body ended at ${sent} of ${size} bytes`);
    }
  }
}

/**
 * One request on one connection: an abort of its signal closes the
 * connection (it is the signal's listener); the end of its body puts the
 * connection back in the pool, a failure closes it.
 */
class Exchange implements BodyEnd, EventListenerObject {
  readonly wire: Http1Connection;
  readonly #signal: AbortSignal;
  readonly #active: LinkedList<Http1Connection>;
  readonly #pool: ConnectionPool;
  readonly #options: TransportOptions | undefined;

  constructor(
    wire: Http1Connection,
    signal: AbortSignal,
    active: LinkedList<Http1Connection>,
    pool: ConnectionPool,
    options: TransportOptions | undefined,
  ) {
    this.wire = wire;
    this.#signal = signal;
    this.#active = active;
    this.#pool = pool;
    this.#options = options;
  }

  /** The signal aborted. */
  handleEvent(): void {
    this.wire.conn.close();
  }

  done(): void {
    this.#signal.removeEventListener("abort", this);
    this.#active.delete(this.wire.active);
    this.#pool.put(this.wire, this.#options?.idleConnectionTimeout ?? 0);
  }

  failed(): void {
    this.#signal.removeEventListener("abort", this);
    this.#active.delete(this.wire.active);
    this.wire.conn.close();
  }

  explain(error: unknown): unknown {
    const signal = this.#signal;
    return signal.aborted
      ? signal.reason
      : wireError(error, "body", this.wire.declaredLength !== null);
  }
}

/** The response to `exchange`'s request, whose head is in; the connection is released at once when the body is done. */
function respond(
  exchange: Exchange,
  method: string,
  response: ResponseHead,
  reused: boolean,
): WireResponse {
  const wire = exchange.wire;
  wire.exchanges++;
  const facts = wire.conn.facts;
  const connection = reused
    ? wire.reusedFacts ??= connectionFacts(facts, true)
    : connectionFacts(facts, false);
  const noBody = method === "HEAD" || response.status === 204 || response.status === 304 ||
    (method === "CONNECT" && response.status < 300);
  let source: Http1Connection | null = null;
  if (wire.bodyDone) exchange.done();
  else source = wire;
  return new EngineResponse(response, connection, noBody, source, exchange);
}

/** What a response tells of its connection; frozen, as one object serves every reuse. */
function connectionFacts(facts: SocketFacts, reused: boolean): ConnectionFacts {
  return Object.freeze({
    localAddress: facts.localAddress,
    localPort: facts.localPort,
    remoteAddress: facts.remoteAddress,
    remotePort: facts.remotePort,
    reused,
    tlsVersion: facts.tlsVersion,
    cipher: facts.cipher,
    protocol: "http/1.1",
    viaProxy: facts.viaProxy,
    phases: reused ? null : facts.phases,
  });
}

/** A failure of the socket as the core's code: resets and broken pipes are receive failures. */
function wireError(error: unknown, phase: "connect" | "body", sized: boolean): NetError {
  if (error instanceof NetError) return error;
  const code = (error as { code?: string })?.code;
  if (code === "ECONNRESET" || code === "EPIPE" || code === "ECONNABORTED") {
    // As fetch reports a reset: a sized body cut short is a partial file, anything else a receive error.
    if (phase === "body") {
      const detail = `error reading a body from connection: Connection reset by peer (${code})`;
      return new NetError(sized ? "PARTIAL_BODY" : "RECEIVE_FAILED", detail, { cause: error });
    }
    return new NetError("RECEIVE_FAILED", `Connection reset by peer (${code})`, { cause: error });
  }
  return classifyError(error, phase, sized);
}

const CRLF = new Uint8Array([13, 10]);
const LAST_CHUNK = encoder.encode("0\r\n\r\n");

/** Functions (a TLS verification callback) have no JSON: each gets a number of its own. */
const functionIds = new WeakMap<object, number>();
let nextFunctionId = 0;
const optionKeys = new WeakMap<TransportOptions, string>();

/** Everything that changes a connection, as a string. */
function poolKey(
  connector: string,
  target: ConnectTarget,
  options: TransportOptions | undefined,
): string {
  const origin = `${connector}|${target.secure ? "s" : ""}|${target.hostname}|${target.port}`;
  if (!options) return origin;
  if (connector === PLAIN.name) {
    // A direct connection depends on these alone: requests whose options differ elsewhere
    // (an unused proxy setting, pooling limits) share it, as they share fetch's pool.
    if (!options.caPath && !options.caData && !options.clientCert && !options.addressFamily) {
      return origin;
    }
  }
  let key = optionKeys.get(options);
  if (key === undefined) {
    key = JSON.stringify(
      [
        options.caPath,
        options.caData ?? null,
        options.clientCert,
        options.proxy,
        options.dns,
        options.tls ?? null,
        options.addressFamily ?? null,
      ],
      (_name, value) => {
        if (typeof value !== "function") return value instanceof URL ? value.href : value;
        let id = functionIds.get(value);
        if (id === undefined) functionIds.set(value, id = ++nextFunctionId);
        return `function#${id}`;
      },
    );
    optionKeys.set(options, key);
  }
  return `${origin}|${key}`;
}
