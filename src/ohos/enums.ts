/**
 * The enums of `@ohos.net.http`, with the seed's member names and values.
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
