/**
 * The transport contract: what the router hands a transport and what a
 * transport gives back. Every way of putting a request on the network
 * (`fetch`, `fetch` through the loopback relay, the socket-level HTTP/1.1
 * path) implements {@linkcode Transport}, so the layers above (redirects,
 * cookies, cache, scheduler) never know which one carried a request.
 *
 * A transport sends exactly one request (no redirects, no cookies, no cache)
 * and resolves once the response head is in. The body is a byte stream the
 * caller reads or cancels. Failures reject with a `NetError`.
 *
 * @module
 */

import type { RequestBody } from "./body.ts";
import type { Resolver } from "./dns.ts";
import type { Protocol, ProxyServer, TransportOptions } from "./request.ts";

/** Which transport carries a request; see `docs/architecture.md`. */
export type TransportKind = "fetch" | "relay" | "socket";

/** One request on the wire: a single hop, every field final. */
export interface WireRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: RequestBody | null;
  /** Aborts the exchange: connecting, sending and the response body. */
  readonly signal: AbortSignal;
  /** Request-body bytes handed to the network so far (only when someone listens). */
  readonly onUploadProgress?: (sent: number, total: number) => void;
}

/**
 * The response head plus its body. `headers` is the smallest surface the
 * layers above read, which a `Headers` object satisfies and a socket-level
 * parser can implement without building one.
 */
export interface WireResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: HeaderView;
  /** The body as sent after content decoding; `null` when there is none (HEAD, 204, 304). */
  readonly body: ReadableStream<Uint8Array> | null;
  /** What the connection that carried the exchange knows; `null` when the transport cannot see it. */
  readonly connection: ConnectionFacts | null;
  /**
   * The whole body at once, for a transport that has a faster way than
   * reading `body` (a small `fetch` body); absent otherwise. A transport
   * with {@linkcode WireResponse.reportsProgress} calls `onProgress` as each
   * piece of the body arrives.
   */
  arrayBuffer?(onProgress?: () => void): Promise<ArrayBuffer>;
  /**
   * `true` when `arrayBuffer()` calls its `onProgress` as the body arrives,
   * so that a request with an idle limit may read its body that way too.
   */
  readonly reportsProgress?: boolean;
  /**
   * `true` when `arrayBuffer()` reads the body straight into one array of
   * its declared size (the socket engine), so it beats reading `body` at
   * any size; absent when it gathers and copies chunks (`fetch`).
   */
  readonly arrayBufferIsDirect?: boolean;
}

/** Read access to response headers; names are case-insensitive. */
export interface HeaderView {
  get(name: string): string | null;
  has(name: string): boolean;
  /** Each header once, names lower-case, repeated fields joined with ", " (`set-cookie` excepted). */
  forEach(callback: (value: string, name: string) => void): void;
  getSetCookie(): string[];
  /**
   * The fields as they arrived (lower-case names, in order, repeated ones
   * apart), when the transport parsed the head itself and nobody changed the
   * headers since; absent or `null` otherwise. A face that builds its own
   * view of the headers reads these instead of paying for `forEach`'s sorted,
   * combined pairs.
   */
  fieldLists?(): FieldLists | null;
}

/** Header fields as two parallel lists: see {@linkcode HeaderView.fieldLists}. */
export interface FieldLists {
  /** Lower-case names, in the order the fields arrived. */
  readonly names: readonly string[];
  /** Their values, in the same order. */
  readonly values: readonly string[];
}

/**
 * Facts about the connection, as the client's socket knows them. A field the
 * transport cannot observe is `null`, never guessed.
 */
export interface ConnectionFacts {
  readonly localAddress: string | null;
  readonly localPort: number | null;
  readonly remoteAddress: string | null;
  readonly remotePort: number | null;
  /** `true` when a pooled connection carried the request. */
  readonly reused: boolean | null;
  /** e.g. `"TLSv1.3"`; `null` for plain http or when not observable. */
  readonly tlsVersion: string | null;
  /** e.g. `"TLS_AES_128_GCM_SHA256"`. */
  readonly cipher: string | null;
  /** `"http/1.1"`, `"h2"`, … */
  readonly protocol: string | null;
  /** `true` when the request went through a proxy. */
  readonly viaProxy: boolean;
  /** Connection phases in `performance.now()` time, when a new connection was made and observed. */
  readonly phases: { dns: number | null; tcp: number | null; tls: number | null } | null;
}

/**
 * What one transport instance is built for: the connection settings shared
 * by every request it carries. The router keeps one instance (one pool of
 * connections) per distinct settings and hands each hop to the instance of
 * its settings, so `send()` only sees the hop itself.
 */
export interface TransportSettings {
  readonly protocol: Protocol;
  /** Trust, client certificate, DNS, TLS control, pooling; absent for the defaults. */
  readonly options: TransportOptions | undefined;
  /** The proxy of the hop, after its exclusion list (see {@linkcode HopProxy}). */
  readonly proxy: HopProxy;
  /** Limit in ms on each new connection (name lookup, TCP, TLS handshake); 0 for none. */
  readonly connectTimeout: number;
}

/**
 * The proxy one hop goes through: `"platform"` is the runtime's default
 * (the `*_PROXY` variables as `fetch` reads them), `"environment"` the
 * `*_PROXY` variables, `"direct"` none, or one proxy server.
 */
export type HopProxy = "platform" | "direct" | "environment" | ProxyServer;

/** What the router lends a transport it builds. */
export interface TransportContext {
  /** Resolves host names as the settings ask (DNS servers, DNS-over-HTTPS, address family). */
  readonly resolver: Resolver;
}

/**
 * Builds the transport for one set of settings, or rejects (a `NetError`
 * `NOT_SUPPORTED` naming the option) when it cannot honour them.
 */
export type TransportFactory = (
  settings: TransportSettings,
  context: TransportContext,
) => Transport | Promise<Transport>;

/** Sends one request. */
export interface Transport {
  readonly kind: TransportKind;
  send(request: WireRequest): Promise<WireResponse>;
  /** Releases pooled connections and listeners; requests in flight fail. */
  close(): void;
}

/**
 * TLS control that only the socket-level transport can honour (`fetch`
 * cannot pin, call back, bound versions, set SNI or skip verification).
 * A request carrying any of these is routed to the socket-level transport;
 * one it cannot honour there is rejected, never sent without it.
 */
export interface TlsControl {
  /** Accepted SHA-256 hashes of the server's SubjectPublicKeyInfo, base64 (curl's `--pinnedpubkey sha256//…`). */
  readonly pins: readonly string[];
  /**
   * `"system"`: the usual chain and name checks; `"skip"`: none (unsafe);
   * a function: called with the peer's chain after the handshake, and the
   * connection is used only if it returns (or resolves to) `true`.
   */
  readonly verify: "system" | "skip" | PeerVerifier;
  /** `"TLSv1.2"` or `"TLSv1.3"`; `null` for the runtime's bounds. */
  readonly minVersion: "TLSv1.2" | "TLSv1.3" | null;
  readonly maxVersion: "TLSv1.2" | "TLSv1.3" | null;
  /** OpenSSL-style cipher list, or `null` for the runtime's. */
  readonly ciphers: string | null;
  /** Server name sent in SNI and checked against the certificate, instead of the URL host. */
  readonly serverName: string | null;
  /** Accept a chain that ends at a trusted intermediate (not only at a root). */
  readonly partialChain: boolean;
}

/** A verification callback over the peer's certificate chain (DER, leaf first). */
export type PeerVerifier = (peer: PeerCertificates) => boolean | Promise<boolean>;

/** What a verification callback sees. */
export interface PeerCertificates {
  /** Leaf first, DER. */
  readonly chain: readonly Uint8Array[];
  readonly hostname: string;
  /** The address the connection reached (the proxy's when tunnelled); `null` or absent when unknown. */
  readonly remoteAddress?: string | null;
  /** What the system check concluded, with its reason when it failed. */
  readonly systemVerdict: { readonly ok: boolean; readonly reason: string | null };
}
