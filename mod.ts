/**
 * **@netstack/http**: two well-known HTTP client APIs on one core for Deno.
 *
 * - `http`: OpenHarmony's `@ohos.net.http` (`createHttp()`, `request()`,
 *   `requestInStream()`, events, `BusinessError` codes).
 * - `Network`: Titanium's `Ti.Network` (`createHTTPClient()`, `HTTPClient`
 *   callbacks and readyState, the shared cookie jar).
 *
 * ```ts
 * import http from "@netstack/http";
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => Response.json({ hello: "world" }));
 * const req = http.createHttp();
 * const res = await req.request(`http://127.0.0.1:${server.addr.port}/`, {
 *   expectDataType: http.HttpDataType.OBJECT,
 * });
 * console.assert((res.result as { hello: string }).hello === "world");
 * req.destroy();
 * ```
 *
 * @module
 */

import http from "./ohos.ts";

export { http };
export default http;
export { Network, Ti, Titanium } from "./titanium.ts";
export type * from "./titanium.ts";
export { configureScheduler, type SchedulerLimits } from "./src/core/scheduler.ts";
export type * from "./src/ohos/types.ts";
export { HttpRequest } from "./src/ohos/http_request.ts";
export { HttpInterceptorChain } from "./src/ohos/interceptors.ts";
export {
  AddressFamily,
  CertType,
  HttpDataType,
  HttpProtocol,
  InterceptorType,
  RequestMethod,
  ResponseCode,
  TlsVersion,
} from "./src/ohos/enums.ts";
export {
  type CacheInfo,
  HttpResponseCache,
  type ResponseCacheOptions,
} from "./src/ohos/response_cache.ts";
