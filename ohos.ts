/**
 * The `http` namespace alone: OpenHarmony's `@ohos.net.http` on Deno.
 *
 * ```ts
 * import http from "@netstack/http/ohos";
 * await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("hi"));
 * const req = http.createHttp();
 * const res = await req.request(`http://127.0.0.1:${server.addr.port}/`);
 * console.assert(res.result === "hi");
 * req.destroy();
 * ```
 *
 * @module
 */

import * as http from "./src/ohos/http.ts";

export { http };
export default http;
