/**
 * The `http` namespace: everything `@ohos.net.http` exports, values and
 * types, so `http.createHttp()` and `let o: http.HttpRequestOptions` both work.
 *
 * @module
 */

import { HttpRequest } from "./http_request.ts";

export { CertType, HttpDataType, HttpProtocol, RequestMethod, ResponseCode } from "./enums.ts";
export { HttpRequest } from "./http_request.ts";
export { createHttpResponseCache, HttpResponseCache } from "./response_cache.ts";
export type { CacheInfo, ResponseCacheOptions } from "./response_cache.ts";
export type {
  AsyncCallback,
  BusinessError,
  Callback,
  ClientCert,
  DataReceiveProgressInfo,
  DataSendProgressInfo,
  HttpProxy,
  HttpRequestOptions,
  HttpResponse,
  HttpResult,
  MultiFormData,
  PerformanceTiming,
  ResponseHeaders,
} from "./types.ts";

/**
 * Creates a request object. Call `destroy()` when done with it.
 *
 * @returns a new {@linkcode HttpRequest}
 *
 * @example Usage
 * ```ts
 * import http from "@netstack/http";
 * const req = http.createHttp();
 * req.destroy();
 * ```
 */
export function createHttp(): HttpRequest {
  return new HttpRequest();
}
