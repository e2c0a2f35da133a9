/**
 * The public types of the `http` face, shaped as `@ohos.net.http` declares
 * them so that OpenHarmony code type-checks unchanged.
 *
 * @module
 */

import type { CertType, HttpDataType, HttpProtocol, RequestMethod, ResponseCode } from "./enums.ts";

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
