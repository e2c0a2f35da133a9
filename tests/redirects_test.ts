// The redirect layer (src/core/redirects.ts): the secure-redirect rules of
// RFC 9110 §15.4 and the Fetch standard ("HTTP-redirect fetch") in one place,
// and the layer above the cache, so the final response of a redirect chain
// is cached under its own URL and served from the cache the next time.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { bytesBody } from "../src/core/body.ts";
import { NetError } from "../src/core/errors.ts";
import { nextHop, redirectLayer } from "../src/core/redirects.ts";
import type { CoreRequest, CoreResult, Dispatch } from "../src/core/request.ts";
import { buildStack } from "../src/core/stack.ts";
import { createHttp, serve } from "./_helpers.ts";
import { origin } from "./_cache_helpers.ts";

function request(url: string, init: Partial<CoreRequest> = {}): CoreRequest {
  return {
    url: new URL(url),
    method: "GET",
    headers: new Headers(),
    body: null,
    totalTimeout: 10_000,
    connectTimeout: 0,
    maxBodySize: 1 << 20,
    protocol: "auto",
    maxRedirects: 30,
    bodyMode: "buffer",
    priority: 1,
    cookies: null,
    startTime: performance.now(),
    signal: null,
    cache: "no-store",
    ...init,
  };
}

function caught(fn: () => unknown): NetError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NetError, String(error));
    return error;
  }
  throw new Error("expected a NetError");
}

Deno.test("redirect rules: 303 turns POST into GET and drops the body and its headers", () => {
  const post = request("http://a.test/form", {
    method: "POST",
    body: bytesBody(new TextEncoder().encode("x=1")),
    headers: new Headers({ "content-type": "text/plain", "x-keep": "1" }),
  });
  const next = nextHop(post, 303, "/done");
  assert.equal(next.method, "GET");
  assert.equal(next.body, null);
  assert.equal(next.headers.get("content-type"), null);
  assert.equal(next.headers.get("x-keep"), "1");
  assert.equal(next.url.href, "http://a.test/done");
  // 303 after GET or HEAD keeps the method (nothing to change).
  assert.equal(nextHop(request("http://a.test/", { method: "HEAD" }), 303, "/x").method, "HEAD");
  // The caller's headers are never changed in place.
  assert.equal(post.headers.get("content-type"), "text/plain");
});

Deno.test("redirect rules: 301/302 change only POST; 307/308 keep method and body", () => {
  const body = bytesBody(new TextEncoder().encode("data"));
  for (const status of [301, 302]) {
    assert.equal(
      nextHop(request("http://a.test/", { method: "POST", body }), status, "/n").method,
      "GET",
    );
    const put = nextHop(request("http://a.test/", { method: "PUT", body }), status, "/n");
    assert.equal(put.method, "PUT");
    assert.equal(put.body, body);
  }
  for (const status of [307, 308]) {
    const post = nextHop(request("http://a.test/", { method: "POST", body }), status, "/n");
    assert.equal(post.method, "POST");
    assert.equal(post.body, body);
  }
});

Deno.test("redirect rules: credentials and the caller's Cookie never cross origins", () => {
  const headers = new Headers({
    authorization: "Basic YTpi",
    "proxy-authorization": "Basic YzpK",
    cookie: "sid=1",
    accept: "text/plain",
  });
  const same = nextHop(request("http://a.test/", { headers }), 302, "/other");
  assert.equal(same.headers, headers, "same origin: the headers as they are");
  for (const target of ["http://b.test/", "http://a.test:8080/", "https://a.test/"]) {
    const cross = nextHop(request("http://a.test/", { headers }), 302, target);
    assert.equal(cross.headers.get("authorization"), null, target);
    assert.equal(cross.headers.get("proxy-authorization"), null, target);
    assert.equal(cross.headers.get("cookie"), null, target);
    assert.equal(cross.headers.get("accept"), "text/plain", target);
  }
});

Deno.test("redirect rules: https → http is refused unless allowed; only http(s) targets", () => {
  const down = caught(() => nextHop(request("https://a.test/"), 302, "http://a.test/"));
  assert.equal(down.code, "UNSUPPORTED_PROTOCOL");
  assert.equal(down.details.field, "allowDowngrade");
  const allowed = nextHop(
    request("https://a.test/", { allowDowngrade: true }),
    302,
    "http://a.test/",
  );
  assert.equal(allowed.url.protocol, "http:");
  assert.equal(
    caught(() => nextHop(request("http://a.test/"), 302, "ftp://a.test/")).code,
    "UNSUPPORTED_PROTOCOL",
  );
  assert.equal(
    caught(() => nextHop(request("http://a.test/"), 302, "http://[::1")).code,
    "BAD_URL",
  );
  // Userinfo in a Location is the server's, never sent on the caller's behalf.
  const userinfo = nextHop(request("http://a.test/"), 302, "http://eve:pw@a.test/in");
  assert.equal(userinfo.url.username, "");
  assert.equal(userinfo.url.password, "");
});

/** A below-layer that answers each URL with a scripted head: the layer's own logic, without a network. */
function scripted(
  answers: Record<string, [number, string | null]>,
): Dispatch & { sent: CoreRequest[] } {
  const sent: CoreRequest[] = [];
  const dispatch = (req: CoreRequest): Promise<CoreResult> => {
    sent.push(req);
    const [status, location] = answers[req.url.pathname]!;
    const headers = new Headers(location === null ? {} : { location });
    const final = !(req.maxRedirects > 0 && location !== null);
    return Promise.resolve({
      head: { final, status, statusText: "", headers, url: req.url.href },
      body: final ? new Uint8Array() : null,
      redirects: 0,
      timing: {
        dns: null,
        tcp: null,
        tls: null,
        firstSend: 0,
        firstReceive: 0,
        headers: 0,
        body: 0,
        finish: 0,
        redirect: 0,
        fromCache: false,
      },
    });
  };
  return Object.assign(dispatch, { sent });
}

Deno.test("redirect layer: counts hops, stops at the limit, leaves maxRedirects 0 alone", async () => {
  const chain = { "/1": [302, "/2"], "/2": [301, "/3"], "/3": [200, null] } as Record<
    string,
    [number, string | null]
  >;
  const below = scripted(chain);
  const result = await redirectLayer(below)(request("http://a.test/1"), {});
  assert.equal(result.redirects, 2);
  assert.equal(result.head.url, "http://a.test/3");
  assert.ok(result.timing.redirect > 0, "timing.redirect marks the last redirect followed");
  assert.deepEqual(below.sent.map((r) => r.url.pathname), ["/1", "/2", "/3"]);

  await assert.rejects(
    redirectLayer(scripted(chain))(request("http://a.test/1", { maxRedirects: 1 }), {}),
    (error: NetError) => {
      assert.equal(error.code, "TOO_MANY_REDIRECTS");
      assert.equal(error.details.limit, "redirects");
      assert.equal(error.details.max, 1);
      return true;
    },
  );
  const none = scripted(chain);
  const own = await redirectLayer(none)(request("http://a.test/1", { maxRedirects: 0 }), {});
  assert.equal(own.head.status, 302);
  assert.equal(own.redirects, 0);
  assert.equal(none.sent.length, 1);
});

Deno.test("redirect layer: every hop's head is reported, cookies set by a hop reach the next", async () => {
  await using server = serve((req) => {
    const url = new URL(req.url);
    if (url.pathname === "/login") {
      return new Response(null, {
        status: 302,
        headers: { location: "/home", "set-cookie": "sid=42; Path=/" },
      });
    }
    return new Response(`cookie: ${req.headers.get("cookie")}`);
  });
  using req = createHttp();
  const heads: number[] = [];
  req.on("headersReceive", () => heads.push(heads.length));
  const res = await req.request(`${server.url}/login`);
  assert.equal(res.result, "cookie: sid=42");
  assert.equal(heads.length, 2, "the 302 and the final 200");
});

Deno.test("redirect layer above the cache: a redirected final response is served from the cache", async () => {
  const hits: Record<string, number> = {};
  await using server = origin((_request, url) => {
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    if (url.pathname === "/old") {
      return new Response(null, { status: 302, headers: { location: "/new" } });
    }
    return new Response("the new page", { headers: { "cache-control": "max-age=600" } });
  });
  const cache = http.createHttpResponseCache(undefined, { location: ":memory:" });
  try {
    using req = createHttp();
    const first = await req.request(`${server.url}/old`);
    const second = await req.request(`${server.url}/old`);
    assert.equal(first.result, "the new page");
    assert.equal(second.result, "the new page");
    assert.equal(hits["/old"], 2, "a 302 without freshness is asked again");
    assert.equal(hits["/new"], 1, "the final response came from the cache the second time");
  } finally {
    await cache.delete();
  }
});

Deno.test("stack: a core stack built without cache and scheduler follows redirects too", async () => {
  await using server = serve((req) =>
    new URL(req.url).pathname === "/a"
      ? Response.redirect(new URL("/b", req.url), 307)
      : new Response("b")
  );
  const stack = buildStack({ cache: null, scheduler: null });
  try {
    const result = await stack.dispatch(request(`${server.url}/a`), {});
    assert.equal(new TextDecoder().decode(result.body!), "b");
    assert.equal(result.redirects, 1);
  } finally {
    stack.close();
  }
});

Deno.test("redirect layer above the cache: a fresh stored redirect is still followed", async () => {
  const hits: Record<string, number> = {};
  await using server = origin((_request, url) => {
    hits[url.pathname] = (hits[url.pathname] ?? 0) + 1;
    if (url.pathname === "/moved") {
      return new Response(null, {
        status: 301,
        headers: { location: "/here", "cache-control": "max-age=600" },
      });
    }
    return new Response("arrived", { headers: { "cache-control": "max-age=600" } });
  });
  const cache = http.createHttpResponseCache(undefined, { location: ":memory:" });
  try {
    using req = createHttp();
    const own = await req.request(`${server.url}/moved`, { maxRedirects: 0 });
    assert.equal(own.responseCode, 301, "maxRedirects 0 returns the 301 itself (and it is stored)");
    const followed = await req.request(`${server.url}/moved`);
    assert.equal(followed.responseCode, 200);
    assert.equal(followed.result, "arrived");
    assert.equal(hits["/moved"], 1, "the 301 came from the cache the second time");
  } finally {
    await cache.delete();
  }
});
