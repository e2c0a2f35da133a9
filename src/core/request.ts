/**
 * The normalised request the core pipeline sends, the events it reports and
 * the result it returns. Faces build a {@linkcode CoreRequest} once, after
 * validating their own option shapes, and never touch `fetch` themselves.
 *
 * @module
 */

import type { RequestBody } from "./body.ts";
import type { CookieStore } from "./cookies.ts";
import type { RetryPolicy } from "./retry.ts";
import type { Timing } from "./timing.ts";
import type { ConnectionFacts, TlsControl, TransportKind } from "./transport.ts";

/** Which HTTP version to speak. */
export type Protocol = "auto" | "http1.1" | "http2";

/** What the pipeline does with the response body. */
export type BodyMode =
  /** Read it whole into {@linkcode CoreResult.body}. */
  | "buffer"
  /** Hand each chunk to {@linkcode RequestEvents.onData}; keep nothing. */
  | "stream";

/**
 * What the response cache (when one runs) may do for a request: `"default"`
 * answers from it and stores in it, `"reload"` skips stored responses but
 * stores the new one, `"no-store"` bypasses it.
 */
export type CacheMode = "default" | "reload" | "no-store";

/** A request after validation: every field is final. */
export interface CoreRequest {
  readonly url: URL;
  readonly method: string;
  readonly headers: Headers;
  readonly body: RequestBody | null;
  /** Limit on the whole exchange in ms, 0 for none. */
  readonly totalTimeout: number;
  /** Limit on a pause with no progress (head, body bytes either way) in ms; 0 or absent for none. */
  readonly idleTimeout?: number;
  /** Limit on reaching the response head in ms, 0 for none. */
  readonly connectTimeout: number;
  /** Largest body accepted in buffer mode, in bytes. */
  readonly maxBodySize: number;
  readonly protocol: Protocol;
  /** Redirects followed before failing; 0 returns the 3xx itself. */
  readonly maxRedirects: number;
  readonly bodyMode: BodyMode;
  /** 1 to 1000: when requests queue, higher goes first. */
  readonly priority: number;
  /** Cookies sent and stored along the redirect chain. */
  readonly cookies: CookieStore | null;
  /** `performance.now()` when the caller started the request; timings count from here. */
  readonly startTime: number;
  /** Cancels the request; its reason becomes the rejection when it is a `NetError`. */
  readonly signal: AbortSignal | null;
  /**
   * Follow a redirect from https to plain http. Absent or `false`: such a
   * downgrade is refused with `UNSUPPORTED_PROTOCOL`.
   */
  readonly allowDowngrade?: boolean;
  /** Use of the response cache (see {@linkcode CacheMode}); `"default"` when absent. */
  readonly cache?: CacheMode;
  /** Retries of transient failures (see `retry.ts`); absent: none. */
  readonly retry?: RetryPolicy;
  /**
   * How to reach the server: trust, client certificate, proxy, resolvers.
   * Absent: plain `fetch` with Deno's defaults (environment proxies honoured).
   */
  readonly transport?: TransportOptions;
  /** Credentials that answer a server's 401 challenge (see `auth_layer.ts`); absent for none. */
  readonly authentication?: ServerCredentials | null;
}

/**
 * A user's credentials for HTTP authentication, the scheme to use (`null`:
 * the strongest the server offers), and the one origin they may be sent to.
 */
export interface ServerCredentials {
  readonly username: string;
  readonly password: string;
  readonly scheme: "basic" | "digest" | "ntlm" | null;
  /** The origin (`URL.origin`) of the request they were given for; never sent elsewhere. */
  readonly origin: string;
}

/** Connection settings of a request; see `clients.ts` for how they become a `Deno.HttpClient`. */
export interface TransportOptions {
  /** A PEM file, or a directory of PEM files, trusted in addition to the default roots. */
  readonly caPath: string | null;
  /** A client certificate for mutual TLS. */
  readonly clientCert: ClientCertificate | null;
  /** Which proxy carries the request. */
  readonly proxy: ProxyChoice;
  /** Resolvers used instead of the system's, or `null` for the system's. */
  readonly dns: DnsChoice | null;
  /**
   * Enforce `connectTimeout` on the connection itself (through the loopback
   * relay, which costs throughput) when it is shorter than the total limit.
   * Otherwise it bounds the time until the response head, at no cost.
   */
  readonly exactConnectTimeout: boolean;
  /** PEM text of CAs trusted in addition to the default roots (beside `caPath`); absent for none. */
  readonly caData?: string | null;
  /** Pinning, verification mode, version bounds, SNI: only the socket-level transport honours these. */
  readonly tls?: TlsControl | null;
  /** Connect over IPv4 only (4) or IPv6 only (6); absent or `null` for either. */
  readonly addressFamily?: 4 | 6 | null;
  /** `false`: a new connection for this request, closed after it; absent or `true`: pooled. */
  readonly reuseConnections?: boolean;
  /** How long a pooled connection may stay idle, in ms; absent or 0 for the transport's default. */
  readonly idleConnectionTimeout?: number;
  /** Force one transport (tests, benchmarks); absent: the router chooses. */
  readonly prefer?: TransportKind;
}

/** A client certificate and its key, as files. */
export interface ClientCertificate {
  /** The certificate, or the PKCS#12 bundle for `P12`. */
  readonly certPath: string;
  readonly certType: "PEM" | "DER" | "P12";
  /** The private key (PEM or DER); empty when `certPath` holds it (PEM, P12). */
  readonly keyPath: string;
  /** Password of an encrypted key or of the PKCS#12 bundle; empty for none. */
  readonly keyPassword: string;
}

/**
 * `"direct"`: no proxy, even when `HTTP_PROXY` and friends are set;
 * `"environment"`: `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`/`NO_PROXY`;
 * otherwise one proxy server.
 */
export type ProxyChoice = "direct" | "environment" | ProxyServer;

/**
 * A proxy server. `http:`/`https:`: http targets as absolute-form requests,
 * https targets through CONNECT. `socks5:` (names resolved by the proxy, as
 * `socks5h`): every target through a SOCKS5 tunnel.
 */
export interface ProxyServer {
  /** `http:`, `https:` or `socks5:` with host and port; no path, no credentials. */
  readonly url: URL;
  /** Hosts that go direct: names, IP literals, or `*` wildcard patterns such as `*.local`. */
  readonly exclusionList: readonly string[];
  /** Sent as `Proxy-Authorization: Basic`, or `null`. */
  readonly credentials: { readonly username: string; readonly password: string } | null;
}

/** Name resolution through up to three DNS servers, or through one DNS-over-HTTPS endpoint. */
export type DnsChoice =
  | { readonly servers: readonly NameServer[] }
  | { readonly dohUrl: URL };

/** A DNS server address (IPv4 or IPv6 literal, without brackets) and port. */
export interface NameServer {
  readonly address: string;
  readonly port: number;
}

/** The head of one response in the redirect chain. */
export interface ResponseHead {
  /** `false` for a redirect the pipeline follows, `true` for the response it returns. */
  readonly final: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
}

/** Lifecycle callbacks; only the ones set cost anything. */
export interface RequestEvents {
  /**
   * Once per response head: every redirect hop and the final response. A
   * returned promise (a layer's own work, such as storing cookies) is
   * awaited before the exchange goes on.
   */
  onHeaders?(head: ResponseHead): void | Promise<void>;
  /**
   * Each body chunk (stream mode only); a returned promise is awaited before
   * the next read. The chunk's memory is reused by the next read: copy what
   * you keep (`chunk.slice()`). When `transferable` is true and the chunk
   * spans its buffer, the listener may take that memory instead, without a
   * copy (`chunk.buffer.transfer()`): the next read then gets new memory.
   */
  onData?(chunk: Uint8Array, transferable?: boolean): void | Promise<void>;
  /** Body bytes received so far; `total` is 0 when unknown. */
  onDownloadProgress?(received: number, total: number): void;
  /** Request body bytes handed to the network; ends at `total` once the server has answered. */
  onUploadProgress?(sent: number, total: number): void;
}

/** What a finished exchange gives back. */
export interface CoreResult {
  readonly head: ResponseHead;
  /** The body in buffer mode; `null` in stream mode. */
  readonly body: Uint8Array | null;
  readonly redirects: number;
  readonly timing: Timing;
  /**
   * What the connection that carried the final response knows (addresses,
   * reuse, TLS, proxy); `null` or absent when the transport could not see it
   * or no connection was used (a cache hit).
   */
  readonly connection?: ConnectionFacts | null;
}

/** The pipeline's one entry point. */
export type Dispatch = (request: CoreRequest, events: RequestEvents) => Promise<CoreResult>;

/**
 * A layer around the pipeline (a cache, a scheduler): it gets the next
 * dispatch and returns its own. Layers compose outermost first.
 */
export type Layer = (next: Dispatch) => Dispatch;
