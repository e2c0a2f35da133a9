/**
 * The enums of `@ohos.net.http`, with the official declaration's member names and values.
 *
 * @module
 */

/**
 * HTTP request methods.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const options: http.HttpRequestOptions = { method: http.RequestMethod.POST };
 * ```
 */
export enum RequestMethod {
  OPTIONS = "OPTIONS",
  GET = "GET",
  HEAD = "HEAD",
  POST = "POST",
  PUT = "PUT",
  DELETE = "DELETE",
  TRACE = "TRACE",
  CONNECT = "CONNECT",
  PATCH = "PATCH",
}

/**
 * HTTP response codes.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const ok = (code: number) => code === http.ResponseCode.OK;
 * ```
 */
export enum ResponseCode {
  OK = 200,
  CREATED = 201,
  ACCEPTED = 202,
  NOT_AUTHORITATIVE = 203,
  NO_CONTENT = 204,
  RESET = 205,
  PARTIAL = 206,
  MULT_CHOICE = 300,
  MOVED_PERM = 301,
  MOVED_TEMP = 302,
  SEE_OTHER = 303,
  NOT_MODIFIED = 304,
  USE_PROXY = 305,
  BAD_REQUEST = 400,
  UNAUTHORIZED = 401,
  PAYMENT_REQUIRED = 402,
  FORBIDDEN = 403,
  NOT_FOUND = 404,
  BAD_METHOD = 405,
  NOT_ACCEPTABLE = 406,
  PROXY_AUTH = 407,
  CLIENT_TIMEOUT = 408,
  CONFLICT = 409,
  GONE = 410,
  LENGTH_REQUIRED = 411,
  PRECON_FAILED = 412,
  ENTITY_TOO_LARGE = 413,
  REQ_TOO_LONG = 414,
  UNSUPPORTED_TYPE = 415,
  RANGE_NOT_SATISFIABLE = 416,
  INTERNAL_ERROR = 500,
  NOT_IMPLEMENTED = 501,
  BAD_GATEWAY = 502,
  UNAVAILABLE = 503,
  GATEWAY_TIMEOUT = 504,
  VERSION = 505,
}

/**
 * The type `result` is delivered as.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const options: http.HttpRequestOptions = { expectDataType: http.HttpDataType.OBJECT };
 * ```
 */
export enum HttpDataType {
  STRING = 0,
  OBJECT = 1,
  ARRAY_BUFFER = 2,
}

/**
 * HTTP versions. `HTTP3` falls back to the best version available (Deno's
 * fetch has no HTTP/3).
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const options: http.HttpRequestOptions = { usingProtocol: http.HttpProtocol.HTTP2 };
 * ```
 */
export enum HttpProtocol {
  HTTP1_1 = 0,
  HTTP2 = 1,
  HTTP3 = 2,
}

/**
 * Client certificate formats.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const cert: http.ClientCert = { certPath: "c.p12", keyPath: "", certType: http.CertType.P12 };
 * ```
 */
export enum CertType {
  PEM = "PEM",
  DER = "DER",
  P12 = "P12",
}

/**
 * TLS versions, with OpenHarmony's numbering. TLS 1.0 and 1.1 are not
 * available in this runtime (rustls has neither): a `tlsOptions` that needs
 * them is refused with 401.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const tls: http.TlsConfig = { tlsVersionMin: http.TlsVersion.TLS_V_1_2, tlsVersionMax: http.TlsVersion.TLS_V_1_3 };
 * ```
 */
export enum TlsVersion {
  TLS_V_1_0 = 4,
  TLS_V_1_1 = 5,
  TLS_V_1_2 = 6,
  TLS_V_1_3 = 7,
}

/**
 * Which address family name resolution may return (libcurl's `CURLOPT_IPRESOLVE` names).
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const options: http.HttpRequestOptions = { addressFamily: http.AddressFamily.ONLY_V4 };
 * ```
 */
export enum AddressFamily {
  DEFAULT = "CURL_IPRESOLVE_WHATEVER",
  ONLY_V4 = "CURL_IPRESOLVE_V4",
  ONLY_V6 = "CURL_IPRESOLVE_V6",
}

/**
 * When an interceptor of an `HttpInterceptorChain` runs.
 *
 * @example Usage
 * ```ts
 * import { http } from "@netstack/http";
 * const log: http.HttpInterceptor = {
 *   interceptorType: http.InterceptorType.FINAL_RESPONSE,
 *   interceptorHandle: (_req, res) => Promise.resolve(res.responseCode !== 0),
 * };
 * ```
 */
export enum InterceptorType {
  /** After the request is assembled, before anything else. */
  INITIAL_REQUEST = "INITIAL_REQUEST",
  /** When a redirect response arrived and the next hop is about to be sent. */
  REDIRECTION = "REDIRECTION",
  /** When the response cache answered the request. */
  CACHE_CHECKED = "READ_CACHE",
  /** Before the request goes to the network (the cache did not answer). */
  NETWORK_CONNECT = "CONNECT_NETWORK",
  /** When the final response is in. */
  FINAL_RESPONSE = "FINAL_RESPONSE",
}
