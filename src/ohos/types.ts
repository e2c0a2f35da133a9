/**
 * The public types of the `http` face, shaped as `@ohos.net.http` declares
 * them so that OpenHarmony code type-checks unchanged.
 *
 * @module
 */

import type { RetryOptions } from "../core/retry.ts";
import type { X509Certificate } from "node:crypto";
import type {
  AddressFamily,
  CertType,
  HttpDataType,
  HttpProtocol,
  InterceptorType,
  RequestMethod,
  ResponseCode,
  TlsVersion,
} from "./enums.ts";

export type { RetryOptions };

/**
 * The error every failed call delivers: `@ohos.base`'s `BusinessError`. The
 * library creates plain objects `{ code, message, name }`.
 *
 * @example Usage
 * ```ts
 * import http, { type BusinessError } from "@netstack/http";
 * await http.createHttp().request("").catch((err: BusinessError) => err.code); // 2300003
 * ```
 */
export interface BusinessError<T = void> extends Error {
  /** 401 bad argument, 201 permission denied, 2300000 + curl code for transfer failures. */
  code: number;
  /** Extra data; unused by this library. */
  data?: T;
}

/**
 * A callback that receives an error or a result, as `@ohos.base` declares it.
 *
 * @example Usage
 * ```ts
 * import type { AsyncCallback, HttpResponse } from "@netstack/http";
 * const done: AsyncCallback<HttpResponse> = (err, data) => console.log(err ?? data.responseCode);
 * ```
 */
export type AsyncCallback<T, E = void> = (err: BusinessError<E>, data: T) => void;

/**
 * A callback that receives one value.
 *
 * @example Usage
 * ```ts
 * import type { Callback } from "@netstack/http";
 * const onHeaders: Callback<object> = (header) => console.log(header);
 * ```
 */
export type Callback<T> = (data: T) => void;

/**
 * An HTTP proxy for `usingProxy`. `exclusionList` holds host names or
 * `*.suffix` patterns that go direct.
 *
 * @example Usage
 * ```ts
 * import type { HttpProxy } from "@netstack/http";
 * const proxy: HttpProxy = { host: "127.0.0.1", port: 8888, exclusionList: ["*.local"] };
 * ```
 */
export interface HttpProxy {
  /** Proxy host name or address. */
  host: string;
  /** Proxy port. */
  port: number;
  /** Hosts that go direct: names or `*.suffix` patterns. */
  exclusionList?: string[];
  /** Proxy user name. */
  username?: string;
  /** Proxy password. */
  password?: string;
}

/**
 * A SOCKS5 proxy for `usingSocks5Proxy` (`@ohos.net.connection`'s
 * `Socks5Proxy`). Names are resolved by the proxy (`socks5h`).
 *
 * @example Usage
 * ```ts
 * import type { Socks5Proxy } from "@netstack/http";
 * const proxy: Socks5Proxy = { host: "127.0.0.1", port: 1080, username: "u", password: "p" };
 * ```
 */
export interface Socks5Proxy {
  /** Proxy host name or address. */
  host: string;
  /** Proxy port, 1 to 65535. */
  port: number;
  /** User name for the proxy's user/password authentication. */
  username?: string;
  /** Password for the proxy's user/password authentication. */
  password?: string;
  /** `Socks5DnsStrategy`: 0 resolves names locally, 1 (and the default here) lets the proxy resolve them. */
  dnsStrategy?: number;
  /** Hosts that go direct: names or `*.suffix` patterns. */
  exclusionList?: string[];
}

/**
 * A client certificate for mutual TLS.
 *
 * @example Usage
 * ```ts
 * import type { ClientCert } from "@netstack/http";
 * const cert: ClientCert = { certPath: "client.pem", keyPath: "client.key" };
 * ```
 */
export interface ClientCert {
  /** Path of the certificate (or of the P12 bundle). */
  certPath: string;
  /** Format of `certPath`; PEM by default. */
  certType?: CertType;
  /** Path of the private key; empty for a P12 bundle. */
  keyPath: string;
  /** Password of an encrypted key or P12 bundle. */
  keyPassword?: string;
}

/**
 * One part of a `multipart/form-data` body: `data` wins over `filePath`;
 * files are streamed, never read whole.
 *
 * @example Usage
 * ```ts
 * import type { MultiFormData } from "@netstack/http";
 * const part: MultiFormData = { name: "file", contentType: "text/plain", filePath: "a.txt", remoteFileName: "a.txt" };
 * ```
 */
export interface MultiFormData {
  /** The form field name. */
  name: string;
  /** The part's content type. */
  contentType: string;
  /** The file name sent as `filename=`. */
  remoteFileName?: string;
  /** The content: string as UTF-8, ArrayBuffer as bytes, object as JSON. */
  data?: string | object | ArrayBuffer;
  /** A file streamed as the content when `data` is absent. */
  filePath?: string;
}

/**
 * A user name and password for `serverAuthentication`.
 *
 * @example Usage
 * ```ts
 * import type { Credential } from "@netstack/http";
 * const credential: Credential = { username: "user", password: "secret" };
 * ```
 */
export interface Credential {
  /** The user name. */
  username: string;
  /** The password; never echoed in error messages. */
  password: string;
}

/**
 * Which HTTP authentication scheme answers a 401 challenge.
 *
 * @example Usage
 * ```ts
 * import type { AuthenticationType } from "@netstack/http";
 * const scheme: AuthenticationType = "digest";
 * ```
 */
export type AuthenticationType = "basic" | "ntlm" | "digest";

/**
 * Credentials sent when the server answers 401 with a challenge; without
 * `authenticationType`, the strongest scheme the server offers is used.
 *
 * @example Usage
 * ```ts
 * import type { ServerAuthentication } from "@netstack/http";
 * const auth: ServerAuthentication = { credential: { username: "u", password: "p" }, authenticationType: "digest" };
 * ```
 */
export interface ServerAuthentication {
  /** The user name and password. */
  credential: Credential;
  /** The scheme; negotiated from the server's challenge when absent. */
  authenticationType?: AuthenticationType;
}

/**
 * One accepted server key: the base64 SHA-256 hash of its SubjectPublicKeyInfo
 * (the hash curl's `--pinnedpubkey sha256//…` takes).
 *
 * @example Usage
 * ```ts
 * import type { CertificatePinning } from "@netstack/http";
 * const pin: CertificatePinning = { publicKeyHash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", hashAlgorithm: "SHA-256" };
 * ```
 */
export interface CertificatePinning {
  /** Base64 SHA-256 of the server's SubjectPublicKeyInfo. */
  publicKeyHash: string;
  /** Only `"SHA-256"`; pins with another algorithm are dropped, as OpenHarmony does. */
  hashAlgorithm: "SHA-256";
}

/**
 * A certificate of the peer's chain, with the `cert.X509Cert` members this
 * library provides (OpenHarmony's has more: `verify`, `getPublicKey`, …);
 * `x509` is the certificate parsed by `node:crypto`, for the rest.
 *
 * @example Usage
 * ```ts
 * import type { X509Cert } from "@netstack/http";
 * const subject = (c: X509Cert) => new TextDecoder().decode(c.getSubjectName().data);
 * ```
 */
export interface X509Cert {
  /** The certificate in DER (`encodingFormat` 0). */
  getEncoded(): Promise<{ data: Uint8Array; encodingFormat: number }>;
  /** The X.509 version: 1, 2 or 3. */
  getVersion(): number;
  /** The issuer's distinguished name as UTF-8 text (`CN=…, O=…`). */
  getIssuerName(): { data: Uint8Array };
  /** The subject's distinguished name as UTF-8 text. */
  getSubjectName(): { data: Uint8Array };
  /** Start of validity as ASN.1 UTCTime text (`YYMMDDHHMMSSZ`). */
  getNotBeforeTime(): string;
  /** End of validity as ASN.1 UTCTime text. */
  getNotAfterTime(): string;
  /** Not in OpenHarmony: the certificate parsed by `node:crypto`. */
  readonly x509: X509Certificate;
}

/**
 * What a `remoteValidation` callback is given: the peer's chain (leaf first)
 * and where the connection went.
 *
 * @example Usage
 * ```ts
 * import type { ValidationContext } from "@netstack/http";
 * const leafIsPresent = (ctx: ValidationContext) => ctx.pemCerts.length > 0;
 * ```
 */
export interface ValidationContext {
  /** The chain in PEM, leaf first. */
  pemCerts: string[];
  /** The chain parsed, leaf first. */
  x509Certs: X509Cert[];
  /** The host of the request URL (or `sniHostName`). */
  host: string;
  /** The address connected to; `""` when the transport could not observe it. */
  ip: string;
}

/**
 * A custom server check: `true` (or a promise of it) accepts the connection.
 *
 * @example Usage
 * ```ts
 * import type { ValidationCallback } from "@netstack/http";
 * const onlyLocal: ValidationCallback = (ctx) => ctx.ip === "127.0.0.1";
 * ```
 */
export type ValidationCallback = (context: ValidationContext) => boolean | Promise<boolean>;

/**
 * How the server's certificate is checked: `"system"` (default), `"skip"`
 * (no check: unsafe), or a {@linkcode ValidationCallback}.
 *
 * @example Usage
 * ```ts
 * import type { RemoteValidation } from "@netstack/http";
 * const mode: RemoteValidation = "system";
 * ```
 */
export type RemoteValidation = "system" | "skip" | ValidationCallback;

/**
 * `"TLS"` (default) or `"TLCP"` (the Chinese national standard; not
 * available here: refused with 401).
 *
 * @example Usage
 * ```ts
 * import type { SslType } from "@netstack/http";
 * const type: SslType = "TLS";
 * ```
 */
export type SslType = "TLS" | "TLCP";

/**
 * Which network carries the request. Without cellular networks every value
 * uses the default network, as OpenHarmony does when the one asked for is not active.
 *
 * @example Usage
 * ```ts
 * import type { PathPreference } from "@netstack/http";
 * const path: PathPreference = "auto";
 * ```
 */
export type PathPreference = "auto" | "primaryCellular" | "secondaryCellular";

/**
 * One query value: strings, numbers and booleans become `key=value`;
 * `null` and `undefined` become the bare `key`.
 *
 * @example Usage
 * ```ts
 * import type { QueryParamValue } from "@netstack/http";
 * const value: QueryParamValue = 42;
 * ```
 */
export type QueryParamValue = string | number | boolean | null | undefined;

/**
 * Query parameters by name; an array repeats the name (`{ tag: ["a", "b"] }`
 * gives `tag=a&tag=b`). Names and values are percent-encoded.
 *
 * @example Usage
 * ```ts
 * import type { QueryParamObject } from "@netstack/http";
 * const query: QueryParamObject = { q: "a b", tag: ["x", "y"], flag: null };
 * ```
 */
export type QueryParamObject = Record<string, QueryParamValue | QueryParamValue[]>;

/**
 * TLS 1.3 cipher suites.
 *
 * @example Usage
 * ```ts
 * import type { TlsV13SpecificCipherSuite } from "@netstack/http";
 * const suite: TlsV13SpecificCipherSuite = "TLS_AES_128_GCM_SHA256";
 * ```
 */
export type TlsV13SpecificCipherSuite =
  | "TLS_AES_128_GCM_SHA256"
  | "TLS_AES_256_GCM_SHA384"
  | "TLS_CHACHA20_POLY1305_SHA256";

/**
 * TLS 1.2 cipher suites.
 *
 * @example Usage
 * ```ts
 * import type { TlsV12SpecificCipherSuite } from "@netstack/http";
 * const suite: TlsV12SpecificCipherSuite = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
 * ```
 */
export type TlsV12SpecificCipherSuite =
  | "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
  | "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
  | "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
  | "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"
  | "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"
  | "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"
  | "TLS_RSA_WITH_AES_128_GCM_SHA256"
  | "TLS_RSA_WITH_AES_256_GCM_SHA384";

/**
 * Cipher suites usable since TLS 1.0 (CBC).
 *
 * @example Usage
 * ```ts
 * import type { TlsV10SpecificCipherSuite } from "@netstack/http";
 * const suite: TlsV10SpecificCipherSuite = "TLS_RSA_WITH_AES_128_CBC_SHA";
 * ```
 */
export type TlsV10SpecificCipherSuite =
  | "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"
  | "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
  | "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"
  | "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"
  | "TLS_RSA_WITH_AES_128_CBC_SHA"
  | "TLS_RSA_WITH_AES_256_CBC_SHA"
  | "TLS_RSA_WITH_3DES_EDE_CBC_SHA";

/**
 * Suites usable with TLS 1.0.
 *
 * @example Usage
 * ```ts
 * import type { TlsV10CipherSuite } from "@netstack/http";
 * const suite: TlsV10CipherSuite = "TLS_RSA_WITH_AES_256_CBC_SHA";
 * ```
 */
export type TlsV10CipherSuite = TlsV10SpecificCipherSuite;

/**
 * Suites usable with TLS 1.1.
 *
 * @example Usage
 * ```ts
 * import type { TlsV11CipherSuite } from "@netstack/http";
 * const suite: TlsV11CipherSuite = "TLS_RSA_WITH_AES_256_CBC_SHA";
 * ```
 */
export type TlsV11CipherSuite = TlsV10CipherSuite;

/**
 * Suites usable with TLS 1.2.
 *
 * @example Usage
 * ```ts
 * import type { TlsV12CipherSuite } from "@netstack/http";
 * const suite: TlsV12CipherSuite = "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384";
 * ```
 */
export type TlsV12CipherSuite = TlsV11CipherSuite | TlsV12SpecificCipherSuite;

/**
 * Suites usable with TLS 1.3 (every suite named here).
 *
 * @example Usage
 * ```ts
 * import type { TlsV13CipherSuite } from "@netstack/http";
 * const suite: TlsV13CipherSuite = "TLS_AES_256_GCM_SHA384";
 * ```
 */
export type TlsV13CipherSuite = TlsV12CipherSuite | TlsV13SpecificCipherSuite;

/**
 * Any cipher suite name.
 *
 * @example Usage
 * ```ts
 * import type { CipherSuite } from "@netstack/http";
 * const suites: CipherSuite[] = ["TLS_AES_128_GCM_SHA256"];
 * ```
 */
export type CipherSuite = TlsV13CipherSuite;

/**
 * TLS version bounds and, optionally, the cipher suites offered.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const tls: http.TlsConfig = { tlsVersionMin: http.TlsVersion.TLS_V_1_2, tlsVersionMax: http.TlsVersion.TLS_V_1_2 };
 * ```
 */
export interface TlsConfig {
  /** The lowest version offered. */
  tlsVersionMin: TlsVersion;
  /** The highest version offered. */
  tlsVersionMax: TlsVersion;
  /** The suites offered; all supported ones when absent. */
  cipherSuites?: CipherSuite[];
}

/**
 * `"system"` (the runtime's TLS settings) or a {@linkcode TlsConfig}.
 *
 * @example Usage
 * ```ts
 * import type { TlsOptions } from "@netstack/http";
 * const tls: TlsOptions = "system";
 * ```
 */
export type TlsOptions = "system" | TlsConfig;

/**
 * Options of one request. Every field is optional.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const options: http.HttpRequestOptions = {
 *   method: http.RequestMethod.POST,
 *   extraData: { hello: "world" },
 *   expectDataType: http.HttpDataType.OBJECT,
 *   readTimeout: 10_000,
 * };
 * ```
 */
export interface HttpRequestOptions {
  /** The method; GET by default. Any token is accepted. */
  method?: RequestMethod | string;
  /**
   * A method sent instead of `method` (WebDAV's `PROPFIND`, …): any token of
   * at most 128 characters; a longer one is ignored, as OpenHarmony does.
   */
  customMethod?: string;
  /**
   * For GET, HEAD, OPTIONS, TRACE and CONNECT: an object becomes the query
   * string, a string is appended as is. For other methods: the body (a
   * string as UTF-8, an ArrayBuffer or typed array as bytes, an object as JSON).
   */
  extraData?: string | object | ArrayBuffer;
  /** The type of `result`; by default chosen from the response content type. */
  expectDataType?: HttpDataType;
  /** Whether the response cache may answer; true by default. */
  usingCache?: boolean;
  /** 1 (default) to 1000; higher goes first when requests queue. */
  priority?: number;
  /** Request headers; a body goes with `content-type: application/json` unless set. */
  header?: object;
  /** Limit on the whole transfer in ms, 60000 by default, 0 for none. */
  readTimeout?: number;
  /**
   * Limit on the connection phase (DNS, TCP, TLS handshake) in ms, 60000 by
   * default, 0 for none. A slow server whose connection is up is not cut by it.
   */
  connectTimeout?: number;
  /** HTTP version to use; chosen automatically by default. */
  usingProtocol?: HttpProtocol;
  /** `true` for the environment's proxy, an {@linkcode HttpProxy}, or `false` (default). */
  usingProxy?: boolean | HttpProxy;
  /** A PEM file (or directory of them) trusted in addition to the default roots; missing or malformed: 2300077. */
  caPath?: string;
  /** First byte to download (Range, RFC 7233), 0 to 4294967296. */
  resumeFrom?: number;
  /** Last byte to download, inclusive. */
  resumeTo?: number;
  /** A client certificate for mutual TLS. */
  clientCert?: ClientCert;
  /** A DNS-over-HTTPS resolver, `https://host:port/path`. */
  dnsOverHttps?: string;
  /** Up to three DNS servers: IPv4 or IPv6 addresses, optionally with a port (`"127.0.0.1:5353"`, `"[::1]:53"`). */
  dnsServers?: string[];
  /** Largest body `request()` accepts in bytes: 5 MiB by default, at most 100 MiB. */
  maxLimit?: number;
  /**
   * Follow a redirect from https to http. Off by default: such a redirect
   * fails with 2300001. (An extra of this library, not in OpenHarmony.)
   */
  allowHttpsDowngrade?: boolean;
  /** Parts of a `multipart/form-data` body. */
  multiFormDataList?: MultiFormData[];
  /**
   * An extension, not in OpenHarmony: aborting this signal cancels this one
   * request: it rejects with 2300023, as `destroy()` does to every request.
   */
  signal?: AbortSignal;
  /** Redirects followed, 0 to 2147483647 (0: none; 30 by default; other values: 30). More: 2300047. */
  maxRedirects?: number;
  /**
   * Query parameters appended to the URL for any method; they replace the
   * query that `extraData` would add. A string is appended as is.
   */
  queryParams?: string | QueryParamObject;
  /**
   * The request body for any method; it wins over `extraData`. A string as
   * UTF-8, an ArrayBuffer as bytes, an object as JSON.
   */
  body?: string | object | ArrayBuffer;
  /** One PEM CA certificate (at most 8000 characters) trusted besides the default roots; ignored when `caPath` is set. */
  caData?: string;
  /** `"TLS"` (default); `"TLCP"` is refused with 401. */
  sslType?: SslType;
  /** The TLCP encryption certificate; TLCP is not available, so setting it is refused with 401. */
  clientEncCert?: ClientCert;
  /** Accepted server keys; a server whose key matches none fails with 2300090. */
  certificatePinning?: CertificatePinning | CertificatePinning[];
  /** How the server certificate is checked: `"system"`, `"skip"` or a callback. */
  remoteValidation?: RemoteValidation;
  /** TLS version bounds and cipher suites, or `"system"`. */
  tlsOptions?: TlsOptions;
  /** Credentials answering a server's 401 challenge (Basic, Digest or NTLM). */
  serverAuthentication?: ServerAuthentication;
  /** Restricts name resolution to IPv4 or IPv6. */
  addressFamily?: AddressFamily;
  /** The name sent in TLS SNI (and checked in the certificate); empty or over 255 characters: ignored. */
  sniHostName?: string;
  /** Which network carries the request; see {@linkcode PathPreference}. */
  pathPreference?: PathPreference;
  /** `false`: a new connection for this request, closed after it. `true` by default. */
  reuseConnections?: boolean;
  /** How long a pooled connection may stay idle, in ms; 0 or less: the default (118 s). */
  inactivityMs?: number;
  /** A SOCKS5 proxy; it takes precedence over `usingProxy`. */
  usingSocks5Proxy?: Socks5Proxy;
  /** Accept a chain that ends at a trusted intermediate; `false` here unless set (OpenHarmony: `true`). */
  enablePartialChain?: boolean;
  /**
   * An extension, not in OpenHarmony: retry a transient failure (a timeout,
   * a lost connection, HTTP 408, 429, 500, 502, 503, 504) this many times,
   * or as {@linkcode RetryOptions} say. Idempotent methods only unless
   * `allMethods`; exponential backoff with jitter from 1 s, or `Retry-After`;
   * never once `dataReceive` has delivered a byte. Off by default.
   */
  retry?: number | RetryOptions;
}

/**
 * Timing of one request in ms, each counted from the call to `request()`.
 * Fields `fetch` cannot observe are 0; see the README.
 *
 * @example Usage
 * ```ts
 * import type { PerformanceTiming } from "@netstack/http";
 * const serverTime = (t: PerformanceTiming) => t.firstReceiveTiming - t.firstSendTiming;
 * ```
 */
export interface PerformanceTiming {
  /**
   * DNS done. Measured by the library's loopback relay when it carries a new
   * connection (with `dnsServers`, `dnsOverHttps`, or a `connectTimeout`
   * shorter than `readTimeout`); 0 otherwise (Deno's fetch does not expose it).
   */
  dnsTiming: number;
  /** TCP connected; measured like `dnsTiming`, 0 otherwise. */
  tcpTiming: number;
  /** TLS handshake done; measured like `dnsTiming`, 0 otherwise and for plain http. */
  tlsTiming: number;
  /** The final request was handed to the network stack. */
  firstSendTiming: number;
  /** The final response head arrived. */
  firstReceiveTiming: number;
  /** The transfer was complete. */
  totalFinishTiming: number;
  /** Redirects were done (0 without redirects). */
  redirectTiming: number;
  /** The response head was parsed. */
  responseHeaderTiming: number;
  /** The last body byte arrived (0 without a body). */
  responseBodyTiming: number;
  /** The result was handed to the application. */
  totalTiming: number;
  /**
   * Not in OpenHarmony: `true`, and present only, when the response came
   * from the response cache without a request. Then nothing was sent:
   * `dnsTiming`, `tcpTiming`, `tlsTiming`, `firstSendTiming`,
   * `firstReceiveTiming` and `redirectTiming` are 0, and
   * `responseHeaderTiming`, `responseBodyTiming` and `totalFinishTiming`
   * say when the stored head and body were delivered.
   */
  fromCache?: boolean;
}

/**
 * Response headers as `headersReceive` and `HttpResponse.header` give them:
 * lower-case names; a repeated header's values joined with `", "`, except
 * `set-cookie`, an array of the lines.
 *
 * @example Usage
 * ```ts
 * import type { ResponseHeaders } from "@netstack/http";
 * const show = (h: ResponseHeaders) => `${h["content-type"]}, ${h["set-cookie"]?.length ?? 0} cookies`;
 * ```
 */
export type ResponseHeaders = { [name: string]: string } & { "set-cookie"?: string[] };

/** What `result` can be: a string, a parsed JSON value or an ArrayBuffer. */
export type HttpResult = string | object | ArrayBuffer;

/**
 * The response of `request()`. `T` is the type of `result` when the caller
 * knows it: `req.request<{ id: number }>(url, { expectDataType: OBJECT })`.
 *
 * @example Usage
 * ```ts
 * import type { HttpResponse } from "@netstack/http";
 * const describe = (res: HttpResponse) => `${res.responseCode} ${res.header["content-type"]}`;
 * const id = (res: HttpResponse<{ id: number }>) => res.result.id;
 * ```
 */
export interface HttpResponse<T = HttpResult> {
  /** The body, typed by `expectDataType` or by the content type. */
  result: T;
  /** The type of `result`. */
  resultType: HttpDataType;
  /** The status of the final response; 4xx and 5xx are not errors. */
  responseCode: ResponseCode | number;
  /** Headers with lower-case names; `set-cookie` is an array. */
  header: ResponseHeaders;
  /** Cookies received, as lines of a Netscape cookie file joined by CRLF. */
  cookies: string;
  /** Timing of the request. */
  performanceTiming: PerformanceTiming;
  /** What the connection that carried the final response knows; see {@linkcode ConnectionExtraInfo}. */
  connectionExtraInfo?: ConnectionExtraInfo;
}

/**
 * Facts about the connection that carried the final response, as the
 * client's socket knows them. On a path that cannot observe one (plain
 * `fetch`), an address is `""` and a port `0`; see docs/ohos-api.md.
 *
 * @example Usage
 * ```ts
 * import type { ConnectionExtraInfo } from "@netstack/http";
 * const where = (info: ConnectionExtraInfo) => `${info.remoteAddress}:${info.remotePort}`;
 * ```
 */
export interface ConnectionExtraInfo {
  /** `"HTTP/1.1"`, `"HTTP/2"`, `"HTTP/2 over TLS"`, … or `"Unknown/Non-HTTP"`. */
  networkProtocolName: string;
  /** The TLS version; only over TLS when observed. */
  tlsVersion?: TlsVersion;
  /** The cipher suite; only over TLS when observed. */
  cipherSuite?: CipherSuite;
  /** The client's address. */
  localAddress: string;
  /** The server's (or proxy's) address. */
  remoteAddress: string;
  /** The client's port. */
  localPort: number;
  /** The server's (or proxy's) port. */
  remotePort: number;
  /** Whether a pooled connection carried the request. */
  isReusedConnection: boolean;
  /** Whether the request went through a proxy. */
  isProxyConnection: boolean;
  /** Whether the response cache answered. */
  isCacheHit: boolean;
  /** Redirects followed. */
  redirectCount: number;
}

/**
 * The request an interceptor sees and may change: `url`, `header` (an
 * object of strings) and `body` (a string or an ArrayBuffer).
 *
 * @example Usage
 * ```ts
 * import type { HttpRequestContext } from "@netstack/http";
 * const addToken = (ctx: HttpRequestContext) => { (ctx.header as Record<string, string>)["x-token"] = "t"; };
 * ```
 */
export interface HttpRequestContext {
  /** The URL; a new value is sent instead. */
  url: string;
  /** Request headers by name; entries set here are sent. */
  header: object;
  /** The body as a string (an ArrayBuffer set here is sent as bytes). */
  body: object;
}

/**
 * What an interceptor resolves to: `true` continues the request, `false`
 * stops it and returns the response the interceptor filled in.
 *
 * @example Usage
 * ```ts
 * import type { ChainContinue } from "@netstack/http";
 * const go: ChainContinue = true;
 * ```
 */
export type ChainContinue = boolean;

/**
 * One interceptor of an `HttpInterceptorChain`.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const block: http.HttpInterceptor = {
 *   interceptorType: http.InterceptorType.INITIAL_REQUEST,
 *   interceptorHandle(_req, res) {
 *     res.responseCode = 403;
 *     res.result = "blocked";
 *     return Promise.resolve(false);
 *   },
 * };
 * ```
 */
export interface HttpInterceptor {
  /** When it runs. */
  interceptorType: InterceptorType;
  /** Sees (and may change) the request and the response; resolves to {@linkcode ChainContinue}. */
  interceptorHandle(
    reqContext: HttpRequestContext,
    rspContext: HttpResponse,
  ): Promise<ChainContinue>;
}

/**
 * `dataReceiveProgress` payload; `totalSize` is 0 when the length is unknown.
 *
 * @example Usage
 * ```ts
 * import type { DataReceiveProgressInfo } from "@netstack/http";
 * const percent = (p: DataReceiveProgressInfo) => p.totalSize ? (100 * p.receiveSize) / p.totalSize : NaN;
 * ```
 */
export interface DataReceiveProgressInfo {
  /** Bytes received so far. */
  receiveSize: number;
  /** Bytes expected, 0 when unknown. */
  totalSize: number;
}

/**
 * `dataSendProgress` payload.
 *
 * @example Usage
 * ```ts
 * import type { DataSendProgressInfo } from "@netstack/http";
 * const done = (p: DataSendProgressInfo) => p.sendSize === p.totalSize;
 * ```
 */
export interface DataSendProgressInfo {
  /** Bytes sent so far. */
  sendSize: number;
  /** Size of the body. */
  totalSize: number;
}
