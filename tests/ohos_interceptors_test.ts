// HttpInterceptorChain against loopback servers: each InterceptorType at its point of the
// request (initial request, redirect, cache answer, network, final response), continuing
// with changes or ending the request with the interceptor's own response; the chain's
// errors 2300801 / 2300802; enableAutoCookie.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { createHttp, failure, serve } from "./_helpers.ts";

type Handle = http.HttpInterceptor["interceptorHandle"];

function interceptor(type: http.InterceptorType, handle: Handle): http.HttpInterceptor {
  return { interceptorType: type, interceptorHandle: handle };
}

function recorder(respond: (request: Request) => Response = () => new Response("origin")) {
  const seen: Array<{ path: string; headers: Headers; body: string }> = [];
  const server = serve(async (request) => {
    seen.push({
      path: new URL(request.url).pathname,
      headers: request.headers,
      body: await request.text(),
    });
    return respond(request);
  });
  return Object.assign(server, { seen });
}

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: number }).code;
  }
  return undefined;
}

Deno.test("addChain and apply: 2300801 for what is not an interceptor, 2300802 for a duplicate type", () => {
  const chain = new http.HttpInterceptorChain();
  const ok = interceptor(http.InterceptorType.INITIAL_REQUEST, () => Promise.resolve(true));
  assert.equal(chain.addChain([ok]), true);
  assert.deepEqual(chain.getChain(), [ok]);
  chain.getChain().pop();
  assert.equal(chain.getChain().length, 1, "getChain returns a copy");
  assert.equal(codeOf(() => chain.addChain("x" as unknown as http.HttpInterceptor[])), 2300801);
  assert.equal(codeOf(() => chain.addChain([{ interceptorType: "NOPE" } as never])), 2300801);
  assert.equal(codeOf(() => chain.addChain([ok])), 2300802);
  const twice = interceptor(http.InterceptorType.FINAL_RESPONSE, () => Promise.resolve(true));
  assert.equal(codeOf(() => chain.addChain([twice, twice])), 2300802);
  assert.equal(chain.getChain().length, 1, "a refused addChain adds nothing");
  assert.equal(codeOf(() => chain.apply({} as http.HttpRequest)), 2300801);
  using req = createHttp();
  assert.equal(chain.apply(req), true);
});

Deno.test("INITIAL_REQUEST changes url, header and body; false ends the request with its response", async () => {
  await using server = recorder();
  using req = createHttp();
  const chain = new http.HttpInterceptorChain();
  let block = false;
  chain.addChain([
    interceptor(http.InterceptorType.INITIAL_REQUEST, (request, response) => {
      if (block) {
        response.responseCode = 418;
        response.result = "from the interceptor";
        response.header = "x-made: here\r\n" as unknown as http.ResponseHeaders;
        return Promise.resolve(false);
      }
      request.url = request.url.replace("/before", "/after");
      (request.header as Record<string, string>)["x-added"] = "yes";
      request.body = "replaced" as unknown as object;
      return Promise.resolve(true);
    }),
  ]);
  chain.apply(req);
  const res = await req.request(`${server.url}/before`, {
    method: http.RequestMethod.POST,
    extraData: "original",
  });
  assert.equal(res.result, "origin");
  assert.deepEqual(server.seen.map((s) => s.path), ["/after"]);
  assert.equal(server.seen[0]!.headers.get("x-added"), "yes");
  assert.equal(server.seen[0]!.body, "replaced");

  block = true;
  const blocked = await req.request(`${server.url}/before`);
  assert.equal(blocked.responseCode, 418);
  assert.equal(blocked.result, "from the interceptor");
  assert.equal(blocked.header["x-made"], "here");
  assert.equal(server.seen.length, 1, "a blocked request is never sent");
});

Deno.test("REDIRECTION sees each redirect and may change the next hop or stop at the 3xx", async () => {
  await using server = recorder((request) =>
    new URL(request.url).pathname === "/start"
      ? new Response(null, { status: 302, headers: { location: "/planned" } })
      : new Response(new URL(request.url).pathname)
  );
  using req = createHttp();
  const chain = new http.HttpInterceptorChain();
  const seen: string[] = [];
  let stop = false;
  chain.addChain([
    interceptor(http.InterceptorType.REDIRECTION, (request, response) => {
      seen.push(`${response.responseCode} -> ${request.url}`);
      if (stop) return Promise.resolve(false);
      request.url = request.url.replace("/planned", "/rerouted");
      return Promise.resolve(true);
    }),
  ]);
  chain.apply(req);
  const res = await req.request(`${server.url}/start`);
  assert.equal(res.result, "/rerouted");
  assert.deepEqual(seen, [`302 -> ${server.url}/planned`]);
  stop = true;
  const stopped = await req.request(`${server.url}/start`);
  assert.equal(stopped.responseCode, 302);
  assert.deepEqual(server.seen.map((s) => s.path), ["/start", "/rerouted", "/start"]);
});

Deno.test("NETWORK_CONNECT runs only for what goes to the network; CACHE_CHECKED for cache answers", async () => {
  const cache = http.createHttpResponseCache(undefined, { location: ":memory:" });
  try {
    await using server = recorder(() =>
      new Response("cacheable", { headers: { "cache-control": "max-age=60" } })
    );
    using req = createHttp();
    const calls: string[] = [];
    const chain = new http.HttpInterceptorChain();
    chain.addChain([
      interceptor(http.InterceptorType.NETWORK_CONNECT, (request) => {
        calls.push("network");
        (request.header as Record<string, string>)["x-network"] = "1";
        return Promise.resolve(true);
      }),
      interceptor(http.InterceptorType.CACHE_CHECKED, (_request, response) => {
        calls.push(`cache ${response.result}`);
        return Promise.resolve(true);
      }),
    ]);
    chain.apply(req);
    const url = `${server.url}/c-${crypto.randomUUID()}`;
    assert.equal((await req.request(url)).result, "cacheable");
    assert.equal((await req.request(url)).result, "cacheable");
    assert.deepEqual(calls, ["network", "cache cacheable"]);
    assert.equal(server.seen.length, 1);
    assert.equal(server.seen[0]!.headers.get("x-network"), "1");
  } finally {
    await cache.delete();
  }
});

Deno.test("FINAL_RESPONSE may change the response; a rejecting interceptor is 2300999; streams skip the chain", async () => {
  await using server = recorder();
  using req = createHttp();
  const chain = new http.HttpInterceptorChain();
  let fail = false;
  chain.addChain([
    interceptor(http.InterceptorType.FINAL_RESPONSE, (_request, response) => {
      if (fail) return Promise.reject(new Error("broken"));
      response.result = `${response.result} (seen)`;
      return Promise.resolve(true);
    }),
  ]);
  chain.apply(req);
  assert.equal((await req.request(server.url)).result, "origin (seen)");
  assert.equal(await req.requestInStream(server.url), 200);
  fail = true;
  const error = await failure(req.request(server.url));
  assert.equal(error.code, 2300999);
  assert.match(error.message, /FINAL_RESPONSE interceptor failed/);
});

Deno.test("enableAutoCookie shares cookies among one object's requests; false forgets them", async () => {
  await using server = recorder((request) =>
    new URL(request.url).pathname === "/set"
      ? new Response("set", { headers: { "set-cookie": "session=abc; Path=/" } })
      : new Response(request.headers.get("cookie") ?? "none")
  );
  using req = createHttp();
  await req.request(`${server.url}/set`);
  assert.equal((await req.request(`${server.url}/echo`)).result, "none", "off by default");
  req.enableAutoCookie(true);
  await req.request(`${server.url}/set`);
  assert.equal((await req.request(`${server.url}/echo`)).result, "session=abc");
  req.enableAutoCookie(false);
  assert.equal((await req.request(`${server.url}/echo`)).result, "none");
});
