/**
 * The byte connection the socket-level HTTP/1.1 engine speaks over, and the
 * connectors that open one. The engine (framing, pooling, decoding) knows
 * nothing of how a connection was made: plain TCP, TLS with the runtime's
 * verification, TLS with pinning or a validation callback, a tunnel through
 * an HTTP or SOCKS5 proxy. Each of those is a {@linkcode Connector}.
 *
 * Connectors open `node:net` / `node:tls` sockets and adapt them with
 * `fromNodeSocket` (node_socket.ts): unlike `Deno.connect`, such sockets are
 * not Deno resources, so a pooled idle one never trips a test's resource
 * sanitizer, and they were faster here (docs/transports.md). `Deno.Conn`
 * also fits the shape, for a connector that needs it.
 *
 * @module
 */

import type { TransportOptions } from "../request.ts";

/**
 * A duplex byte stream to one server (or to a proxy that forwards to it).
 *
 * @example Wrapping a `Deno.Conn`
 * ```ts
 * import type { ByteConnection, SocketFacts } from "./connection.ts";
 * function wrap(conn: Deno.Conn, facts: SocketFacts): ByteConnection {
 *   return {
 *     read: (p) => conn.read(p),
 *     write: (p) => conn.write(p),
 *     close: () => conn.close(),
 *     ref: () => conn.ref(),
 *     unref: () => conn.unref(),
 *     facts,
 *   };
 * }
 * ```
 */
export interface ByteConnection {
  /** Reads into `buffer`; resolves to the number of bytes read, or `null` at end of stream. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** Writes from `bytes`; resolves to the number written (may be fewer than given). */
  write(bytes: Uint8Array): Promise<number>;
  /**
   * Writes all of `bytes`, which must stay unchanged until written: `null`
   * when the connection took them at once, else a promise that settles once
   * they are out (or the connection failed). Optional; the engine uses
   * `write` without it.
   */
  writeAll?(bytes: Uint8Array): Promise<void> | null;
  /** Closes both directions at once; pending reads and writes reject. Never throws. */
  close(): void;
  /** Lets the connection hold the process open again (it is in use). */
  ref(): void;
  /** Stops the connection from holding the process open (it idles in a pool). */
  unref(): void;
  /** What the connector knows about this connection; fixed once connected. */
  readonly facts: SocketFacts;
  /** `false` once the peer closed or the connection failed; absent when unknown. */
  readonly open?: boolean;
  /** Bytes received and not yet read; a pooled connection with any is discarded. */
  readonly pending?: number;
  /**
   * Calls `onIdle` whenever `ms` pass without traffic (`ms` 0 disarms it).
   * The engine arms it once per connection and closes the connection when
   * it fires while pooled; it never holds the process open. Absent: the
   * engine checks idle time when reusing.
   */
  idle?(ms: number, onIdle: () => void): void;
}

/**
 * Facts a connector observed while connecting. A field it could not observe
 * is `null`, never guessed. The engine adds `reused` and `protocol` to make a
 * `ConnectionFacts`.
 */
export interface SocketFacts {
  /** The client's end of the TCP connection (to the proxy, when there is one). */
  readonly localAddress: string | null;
  readonly localPort: number | null;
  /** The server's end of the TCP connection (the proxy's, when there is one). */
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** e.g. `"TLSv1.3"`; `null` for plain TCP or when not observable. */
  readonly tlsVersion: string | null;
  /** e.g. `"TLS_AES_128_GCM_SHA256"`; `null` when not observable. */
  readonly cipher: string | null;
  /** The ALPN protocol negotiated, e.g. `"http/1.1"`; `null` when none was. */
  readonly alpn: string | null;
  /** `true` when a proxy forwards or tunnels the bytes. */
  readonly viaProxy: boolean;
  /**
   * `"origin"`: requests are written as `GET /path HTTP/1.1` (direct, or
   * through a tunnel). `"absolute"`: as `GET http://host/path HTTP/1.1`,
   * for a plain-http target through an HTTP proxy that forwards them.
   */
  readonly requestTarget: "origin" | "absolute";
  /** Headers every request on this connection carries (`Proxy-Authorization` in absolute form), or `null`. */
  readonly proxyHeaders: readonly (readonly [string, string])[] | null;
  /** `performance.now()` marks of the connect phases, when this connector observed them. */
  readonly phases: ConnectPhases | null;
}

/** `performance.now()` time at which each connect phase finished; `null` when skipped or unseen. */
export interface ConnectPhases {
  readonly dns: number | null;
  readonly tcp: number | null;
  readonly tls: number | null;
}

/**
 * How far a connection attempt got, for the message of a connect timeout:
 * connectors update `reached` as each phase completes (`dns`: the first hop's
 * name resolved; `tcp`: TCP up to the server; `proxy`: TCP up to a proxy;
 * `tunnel`: the proxy's tunnel up).
 */
export interface ConnectProgress {
  reached: "start" | "dns" | "tcp" | "proxy" | "tunnel";
}

/** Where to connect: the request's origin (never the proxy; a connector handles that). */
export interface ConnectTarget {
  /** Host name or IP literal, IPv6 without brackets. */
  readonly hostname: string;
  readonly port: number;
  /** `true` for https: the connection must be TLS to the origin. */
  readonly secure: boolean;
}

/**
 * Opens connections for the requests whose options it {@linkcode accepts}.
 * The engine asks registered connectors in order (most recently registered
 * first) and falls back to the plain one (`Deno.connect` /
 * `Deno.connectTls` with the runtime's verification).
 *
 * A connector must honour every option it accepts or reject with a
 * `NetError` naming the option; it fails with the right code
 * (`CONNECT_FAILED`, `HOST_UNRESOLVED`, `TLS_PEER`, `TLS_HANDSHAKE`,
 * `PROXY_UNRESOLVED`, …) and rejects with the signal's reason on abort.
 * Pooling is the engine's: it keys idle connections by the connector's name,
 * the target and every option that changes a connection (TLS control, CAs,
 * client certificate, proxy, resolvers, address family), so a connector
 * never sees a connection made for other options.
 *
 * @example A connector for requests carrying TLS control
 * ```ts
 * import { type Connector, registerConnector } from "./connection.ts";
 * const nodeTls: Connector = {
 *   name: "node-tls",
 *   accepts: (target, options) => target.secure && !!options?.tls,
 *   connect: (_target, _options, _signal) => {
 *     throw new Error("sketch");
 *   },
 * };
 * registerConnector(nodeTls);
 * ```
 */
export interface Connector {
  /** Short, stable name; part of the pool key. */
  readonly name: string;
  /** Whether this connector is the one for a request to `target` with `options`. */
  accepts(target: ConnectTarget, options: TransportOptions | undefined): boolean;
  /**
   * Opens a connection ready for HTTP/1.1 bytes (TLS handshake and tunnel
   * done), updating `progress` (when given) as phases complete.
   */
  connect(
    target: ConnectTarget,
    options: TransportOptions | undefined,
    signal: AbortSignal,
    progress?: ConnectProgress,
  ): Promise<ByteConnection>;
}

const connectors: Connector[] = [];

/**
 * Adds a connector the engine asks before the ones registered earlier.
 * Registering a connector with the same name again replaces it.
 *
 * @example
 * ```ts
 * import { registerConnector } from "./connection.ts";
 * registerConnector({
 *   name: "socks5",
 *   accepts: (_t, o) => typeof o?.proxy === "object" && o.proxy.url.protocol === "socks5:",
 *   connect: () => Promise.reject(new Error("sketch")),
 * });
 * ```
 */
export function registerConnector(connector: Connector): void {
  const at = connectors.findIndex((c) => c.name === connector.name);
  if (at >= 0) connectors.splice(at, 1);
  connectors.unshift(connector);
}

/**
 * The registered connector for `target` with `options`, or `null` when none
 * accepts it (the engine then uses its plain connector).
 *
 * @example
 * ```ts
 * import { findConnector } from "./connection.ts";
 * const connector = findConnector({ hostname: "example.com", port: 443, secure: true }, undefined);
 * ```
 */
export function findConnector(
  target: ConnectTarget,
  options: TransportOptions | undefined,
): Connector | null {
  for (const connector of connectors) if (connector.accepts(target, options)) return connector;
  return null;
}
