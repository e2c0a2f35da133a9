// The response cache through the http (OpenHarmony) face, against a loopback
// origin that counts requests: RFC 9111 behaviour, events and timing of hits,
// the usingCache option, and the HttpResponseCache handle.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { ROOT } from "../src/cache/store_layout.ts";
import { bodyBytes, createHttp, KiB, MiB, origin, sha256, tempDir } from "./_cache_helpers.ts";

const MEMORY = { location: ":memory:" };

/** Starts an in-memory cache for one test; deleted (and closed) by `await using`. */
function memoryCache(cacheSize?: number, options: Record<string, unknown> = {}) {
  const cache = http.createHttpResponseCache(cacheSize, { ...MEMORY, ...options });
  return Object.assign(cache, { [Symbol.asyncDispose]: () => cache.delete() });
}

const text = (body: string, headers: Record<string, string> = {}, status = 200) =>
  new Response(body, { status, headers });

Deno.test("cache: nothing is cached before createHttpResponseCache()", async () => {
  await using server = origin(() => text("x", { "cache-control": "max-age=600" }));
  using req = createHttp();
  await req.request(`${server.url}/a`);
  await req.request(`${server.url}/a`);
  assert.equal(server.count("/a"), 2);
});

Deno.test("cache: a fresh hit is served without a request to the origin", async () => {
  await using server = origin((_r, _u, n) => text(`body ${n}`, { "cache-control": "max-age=600" }));
  await using _cache = memoryCache();
  using req = createHttp();
  const first = await req.request(`${server.url}/a`);
  const second = await req.request(`${server.url}/a`);
  assert.equal(server.count("/a"), 1);
  assert.equal(first.result, "body 1");
  assert.equal(second.result, "body 1");
  assert.equal(second.responseCode, 200);
  assert.equal(second.header["cache-control"], "max-age=600");
  assert.equal(second.header["age"], "0");
  assert.equal(first.performanceTiming.fromCache, undefined);
});

Deno.test("cache: a hit's performanceTiming says fromCache and has no network marks", async () => {
  await using server = origin(() => text("x".repeat(1000), { "cache-control": "max-age=600" }));
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(server.url);
  const { performanceTiming: t } = await req.request(server.url);
  assert.equal(t.fromCache, true);
  for (
    const field of [
      "dnsTiming",
      "tcpTiming",
      "tlsTiming",
      "firstSendTiming",
      "firstReceiveTiming",
      "redirectTiming",
    ] as const
  ) {
    assert.equal(t[field], 0, field);
  }
  assert.ok(t.responseHeaderTiming > 0, JSON.stringify(t));
  assert.ok(t.responseHeaderTiming <= t.responseBodyTiming, JSON.stringify(t));
  assert.ok(t.responseBodyTiming <= t.totalFinishTiming, JSON.stringify(t));
  assert.ok(t.totalFinishTiming <= t.totalTiming, JSON.stringify(t));
});

Deno.test("cache: a stale entry is revalidated; a 304 refreshes it and serves the stored body as 200", async () => {
  await using server = origin((request, _u, n) => {
    if (request.headers.get("if-none-match") === '"v1"') {
      return new Response(null, {
        status: 304,
        headers: { etag: '"v1"', "cache-control": "max-age=0", "x-version": `refreshed ${n}` },
      });
    }
    return text("original body", {
      etag: '"v1"',
      "cache-control": "max-age=0",
      "x-version": "first",
    });
  });
  await using _cache = memoryCache();
  using req = createHttp();
  const headersSeen: Array<Record<string, unknown>> = [];
  req.on("headersReceive", (h: object) => headersSeen.push(h as Record<string, unknown>));
  const first = await req.request(`${server.url}/e`);
  const second = await req.request(`${server.url}/e`);
  assert.equal(server.seen.length, 2);
  assert.equal(server.seen[0]!.headers.get("if-none-match"), null);
  assert.equal(server.seen[1]!.headers.get("if-none-match"), '"v1"');
  assert.equal(first.result, "original body");
  assert.equal(second.responseCode, 200, "the 304 is not passed through");
  assert.equal(second.result, "original body");
  assert.equal(second.header["x-version"], "refreshed 2", "stored headers refreshed from the 304");
  assert.equal(second.performanceTiming.fromCache, undefined, "a revalidation used the network");
  assert.ok(second.performanceTiming.firstSendTiming > 0);
  assert.deepEqual(headersSeen.map((h) => h["x-version"]), ["first", "refreshed 2"]);

  // The refresh was stored: the next revalidation sends the same validator again.
  const third = await req.request(`${server.url}/e`);
  assert.equal(third.result, "original body");
  assert.equal(third.header["x-version"], "refreshed 3");
});

Deno.test("cache: revalidation with If-Modified-Since, and a changed resource replaces the entry", async () => {
  const lastModified = new Date(Date.now() - 3_600_000).toUTCString();
  let version = 1;
  await using server = origin((request) => {
    const since = request.headers.get("if-modified-since");
    if (since === lastModified && version === 1) {
      return new Response(null, { status: 304, headers: { "last-modified": lastModified } });
    }
    return text(`version ${version}`, {
      "last-modified": lastModified,
      "cache-control": "no-cache",
    });
  });
  await using _cache = memoryCache();
  using req = createHttp();
  assert.equal((await req.request(`${server.url}/m`)).result, "version 1");
  assert.equal((await req.request(`${server.url}/m`)).result, "version 1");
  assert.equal(server.seen[1]!.headers.get("if-modified-since"), lastModified);
  version = 2;
  assert.equal((await req.request(`${server.url}/m`)).result, "version 2");
  assert.equal(server.seen.length, 3);
});

Deno.test("cache: no-store responses and requests are never stored", async () => {
  await using server = origin((_r, url) =>
    text("x", { "cache-control": url.pathname === "/ns" ? "no-store" : "max-age=600" })
  );
  await using cache = memoryCache();
  using req = createHttp();
  await req.request(`${server.url}/ns`);
  await req.request(`${server.url}/ns`);
  assert.equal(server.count("/ns"), 2);
  await req.request(`${server.url}/req`, { header: { "cache-control": "no-store" } });
  await req.request(`${server.url}/req`);
  assert.equal(server.count("/req"), 2);
  assert.equal((await cache.info()).entries, 1, "only the plain request to /req was stored");
});

Deno.test("cache: Vary selects the variant by the request's header", async () => {
  await using server = origin((request) =>
    text(`lang ${request.headers.get("accept-language")}`, {
      "cache-control": "max-age=600",
      vary: "Accept-Language",
    })
  );
  await using _cache = memoryCache();
  using req = createHttp();
  const get = async (lang: string) =>
    (await req.request(`${server.url}/v`, { header: { "accept-language": lang } })).result;
  assert.equal(await get("en"), "lang en");
  assert.equal(await get("fr"), "lang fr");
  assert.equal(await get("en"), "lang en");
  assert.equal(await get("fr"), "lang fr");
  assert.equal(server.count("/v"), 2);
  assert.equal(await get("de"), "lang de");
  assert.equal(server.count("/v"), 3);
});

Deno.test("cache: Vary: * is never stored", async () => {
  await using server = origin(() => text("x", { "cache-control": "max-age=600", vary: "*" }));
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(`${server.url}/star`);
  await req.request(`${server.url}/star`);
  assert.equal(server.count("/star"), 2);
});

Deno.test("cache: a 1 MiB body round-trips byte-exact (request and requestInStream)", async () => {
  const body = bodyBytes(MiB, 7);
  const digest = await sha256(body);
  await using server = origin(() =>
    new Response(body, {
      headers: { "cache-control": "max-age=600", "content-type": "application/octet-stream" },
    })
  );
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(`${server.url}/big`);
  const hit = await req.request(`${server.url}/big`);
  assert.equal(server.count("/big"), 1);
  assert.equal(hit.performanceTiming.fromCache, true);
  const bytes = new Uint8Array(hit.result as ArrayBuffer);
  assert.equal(bytes.byteLength, MiB);
  assert.equal(await sha256(bytes), digest);

  const chunks: Uint8Array[] = [];
  const progress: number[] = [];
  let ends = 0;
  req.on("dataReceive", (c: ArrayBuffer) => chunks.push(new Uint8Array(c)));
  req.on("dataReceiveProgress", (p: http.DataReceiveProgressInfo) => {
    assert.equal(p.totalSize, MiB);
    progress.push(p.receiveSize);
  });
  req.on("dataEnd", () => ends++);
  const status = await req.requestInStream(`${server.url}/big`);
  assert.equal(status, 200);
  assert.equal(server.count("/big"), 1);
  const streamed = new Uint8Array(MiB);
  let offset = 0;
  for (const c of chunks) {
    streamed.set(c, offset);
    offset += c.byteLength;
  }
  assert.equal(offset, MiB);
  assert.equal(await sha256(streamed), digest);
  assert.ok(chunks.length >= 16, `delivered in chunks, got ${chunks.length}`);
  assert.equal(progress.at(-1), MiB);
  assert.equal(ends, 1);
});

Deno.test("cache: a streamed response is stored while it streams, visible only when complete", async () => {
  const body = bodyBytes(512 * KiB, 3);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  await using server = origin(() => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === 256 * KiB) await gate;
        const piece = body.subarray(sent, sent + 64 * KiB);
        controller.enqueue(piece);
        sent += piece.byteLength;
        if (sent === body.byteLength) controller.close();
      },
    });
    return new Response(stream, { headers: { "cache-control": "max-age=600" } });
  });
  await using dir = await tempDir();
  const location = `${dir.path}/cache.kv`;
  const cache = http.createHttpResponseCache(undefined, { location });
  using kv = await Deno.openKv(location);
  const count = async (kind: string) => {
    let n = 0;
    for await (const _ of kv.list({ prefix: [...ROOT, kind] })) n++;
    return n;
  };
  try {
    using req = createHttp();
    let midStream: Promise<{ chunks: number; entries: number }> | null = null;
    let received = 0;
    req.on("dataReceive", (c: ArrayBuffer) => {
      received += c.byteLength;
      if (received < 256 * KiB || midStream) return;
      // The origin now waits: look at the store while half the body is out.
      midStream = (async () => {
        for (let i = 0; i < 200 && await count("c") < 4; i++) {
          await new Promise((r) => setTimeout(r, 5));
        }
        const seen = { chunks: await count("c"), entries: await count("e") };
        release();
        return seen;
      })();
    });
    assert.equal(await req.requestInStream(`${server.url}/s`), 200);
    assert.deepEqual(
      await midStream,
      { chunks: 4, entries: 0 },
      "chunks written as they arrive, entry not yet visible",
    );
    assert.equal(await count("e"), 1);
    assert.equal(await count("c"), 8);
    req.off("dataReceive");
    const hit = await req.request(`${server.url}/s`, {
      expectDataType: http.HttpDataType.ARRAY_BUFFER,
    });
    assert.equal(server.seen.length, 1);
    assert.equal(await sha256(new Uint8Array(hit.result as ArrayBuffer)), await sha256(body));
  } finally {
    await cache.delete();
  }
});

Deno.test("cache: a streaming hit fires headersReceive, dataReceive, progress and dataEnd", async () => {
  await using server = origin(() => text("streamed body", { "cache-control": "max-age=600" }));
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(server.url);
  const events: string[] = [];
  req.on("headersReceive", (h: object) => events.push(`headers ${"age" in h}`));
  req.on("dataReceive", (c: ArrayBuffer) => events.push(`data ${new TextDecoder().decode(c)}`));
  req.on(
    "dataReceiveProgress",
    (p: http.DataReceiveProgressInfo) => events.push(`progress ${p.receiveSize}/${p.totalSize}`),
  );
  req.on("dataEnd", () => events.push("end"));
  assert.equal(await req.requestInStream(server.url), 200);
  assert.equal(server.seen.length, 1);
  assert.deepEqual(events, ["headers true", "data streamed body", "progress 13/13", "end"]);
});

Deno.test("cache: the stored status is served (a cacheable 404 stays 404)", async () => {
  await using server = origin(() => text("missing", { "cache-control": "max-age=600" }, 404));
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(`${server.url}/404`);
  const hit = await req.request(`${server.url}/404`);
  assert.equal(server.seen.length, 1);
  assert.equal(hit.responseCode, 404);
  assert.equal(hit.result, "missing");
  assert.equal(await req.requestInStream(`${server.url}/404`), 404);
});

Deno.test("cache: uncacheable statuses and responses without freshness or validators are not stored", async () => {
  await using server = origin((_r, url) =>
    url.pathname === "/500" ? text("err", { "cache-control": "max-age=600" }, 500) : text("plain")
  );
  await using cache = memoryCache();
  using req = createHttp();
  for (const path of ["/500", "/500", "/plain", "/plain"]) {
    await req.request(`${server.url}${path}`);
  }
  assert.equal(server.seen.length, 4);
  assert.equal((await cache.info()).entries, 0);
});

Deno.test("cache: HEAD is answered from a stored GET", async () => {
  await using server = origin(() => text("body", { "cache-control": "max-age=600" }));
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(`${server.url}/h`);
  const head = await req.request(`${server.url}/h`, { method: http.RequestMethod.HEAD });
  assert.equal(server.seen.length, 1);
  assert.equal(head.responseCode, 200);
  assert.equal(head.result, "");
  assert.equal(head.header["content-length"], "4");
});

Deno.test("cache: a HEAD revalidating a stored GET keeps it usable for GET", async () => {
  await using server = origin((request) =>
    request.headers.get("if-none-match") === '"g"'
      ? new Response(null, { status: 304, headers: { etag: '"g"' } })
      : text("get body", { etag: '"g"', "cache-control": "no-cache" })
  );
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(`${server.url}/hv`);
  const head = await req.request(`${server.url}/hv`, { method: http.RequestMethod.HEAD });
  assert.equal(head.responseCode, 200);
  assert.equal(head.result, "");
  const get = await req.request(`${server.url}/hv`);
  assert.equal(get.result, "get body");
  assert.deepEqual(
    server.seen.map((s) => [s.method, s.headers.get("if-none-match")]),
    [["GET", null], ["HEAD", '"g"'], ["GET", '"g"']],
  );
});

Deno.test("cache: Authorization responses are stored only when the response allows it", async () => {
  await using server = origin((_r, url) =>
    text("secret", {
      "cache-control": url.pathname === "/private" ? "private, max-age=600" : "max-age=600",
    })
  );
  await using _cache = memoryCache();
  using req = createHttp();
  const auth = { header: { authorization: "Bearer abc" } };
  await req.request(`${server.url}/plain`, auth);
  await req.request(`${server.url}/plain`, auth);
  assert.equal(server.count("/plain"), 2, "max-age alone does not allow storing");
  await req.request(`${server.url}/private`, auth);
  await req.request(`${server.url}/private`, auth);
  assert.equal(server.count("/private"), 1, "private allows a client cache to store it");
});

Deno.test("cache: Set-Cookie is never stored", async () => {
  await using server = origin(() => {
    const headers = new Headers({ "cache-control": "max-age=600" });
    headers.append("set-cookie", "session=abc; Path=/");
    return new Response("with cookie", { headers });
  });
  await using _cache = memoryCache();
  using req = createHttp();
  const first = await req.request(server.url);
  const hit = await req.request(server.url);
  assert.equal(server.seen.length, 1);
  assert.ok(first.header["set-cookie"]);
  assert.equal(hit.header["set-cookie"], undefined);
  assert.equal(hit.result, "with cookie");
});

Deno.test("cache: a successful unsafe request invalidates the stored response of its URL", async () => {
  await using server = origin((request, _u, n) =>
    request.method === "GET" ? text(`get ${n}`, { "cache-control": "max-age=600" }) : text("posted")
  );
  await using _cache = memoryCache();
  using req = createHttp();
  assert.equal((await req.request(`${server.url}/r`)).result, "get 1");
  assert.equal((await req.request(`${server.url}/r`)).result, "get 1");
  await req.request(`${server.url}/r`, { method: http.RequestMethod.POST, extraData: "x" });
  assert.equal((await req.request(`${server.url}/r`)).result, "get 3");
});

Deno.test("cache: usingCache: false skips stored responses and stores the new one", async () => {
  await using server = origin((_r, _u, n) => text(`body ${n}`, { "cache-control": "max-age=600" }));
  await using _cache = memoryCache();
  using req = createHttp();
  assert.equal((await req.request(server.url)).result, "body 1");
  assert.equal((await req.request(server.url, { usingCache: false })).result, "body 2");
  assert.equal((await req.request(server.url)).result, "body 2");
  assert.equal(server.seen.length, 2);
});

Deno.test("cache: Cache-Control: only-if-cached without a stored response is a 504 with no request", async () => {
  await using server = origin(() => text("x"));
  await using _cache = memoryCache();
  using req = createHttp();
  const res = await req.request(server.url, { header: { "cache-control": "only-if-cached" } });
  assert.equal(res.responseCode, 504);
  assert.equal(server.seen.length, 0);
});

Deno.test("cache: requests with Range or the caller's own conditionals go to the origin", async () => {
  await using server = origin(() =>
    text("0123456789", { "cache-control": "max-age=600", etag: '"e"' })
  );
  await using _cache = memoryCache();
  using req = createHttp();
  await req.request(server.url);
  await req.request(server.url, { resumeFrom: 2 });
  await req.request(server.url, { header: { "if-none-match": '"e"' } });
  assert.equal(server.seen.length, 3);
});

Deno.test("cache: a body above maxEntrySize is not stored, streamed or not", async () => {
  const body = bodyBytes(200 * KiB, 1);
  await using server = origin((_r, url) =>
    url.pathname === "/chunked"
      ? new Response(ReadableStream.from([body.subarray(0, 100 * KiB), body.subarray(100 * KiB)]), {
        headers: { "cache-control": "max-age=600" },
      })
      : new Response(body, { headers: { "cache-control": "max-age=600" } })
  );
  await using cache = memoryCache(undefined, { maxEntrySize: 100 * KiB });
  using req = createHttp();
  for (const path of ["/sized", "/sized", "/chunked", "/chunked"]) {
    await req.requestInStream(`${server.url}${path}`);
  }
  assert.equal(server.seen.length, 4);
  assert.equal((await cache.info()).entries, 0);
});

Deno.test("cache: eviction keeps the total under cacheSize, least recently used first", async () => {
  const size = 40 * KiB;
  await using server = origin((_r, url) =>
    new Response(bodyBytes(size, Number(url.pathname.slice(1))), {
      headers: { "cache-control": "max-age=600" },
    })
  );
  const cacheSize = 256 * KiB;
  await using cache = memoryCache(cacheSize);
  using req = createHttp();
  const get = (i: number) => req.request(`${server.url}/${i}`);
  for (let i = 0; i < 5; i++) {
    await get(i);
    await new Promise((r) => setTimeout(r, 3));
  }
  await get(0); // a hit: 0 becomes the most recently used
  await cache.flush(); // the LRU update is written in the background
  for (let i = 5; i < 20; i++) {
    await get(i);
    const { bytes, entries } = await cache.info();
    assert.ok(bytes <= cacheSize, `${bytes} bytes in ${entries} entries after /${i}`);
    await new Promise((r) => setTimeout(r, 3));
  }
  assert.equal(server.count("/0"), 1);
  const info = await cache.info();
  assert.ok(info.entries >= 4 && info.entries <= 6, JSON.stringify(info));
  // The newest are kept; /1 (least recently used) is gone.
  const before = server.seen.length;
  await get(19);
  assert.equal(server.seen.length, before);
  await get(1);
  assert.equal(server.seen.length, before + 1);
});

Deno.test("cache: delete() empties the cache and turns caching off until created again", async () => {
  await using server = origin((_r, _u, n) => text(`body ${n}`, { "cache-control": "max-age=600" }));
  using req = createHttp();
  const cache = http.createHttpResponseCache(undefined, MEMORY);
  try {
    await req.request(server.url);
    await req.request(server.url);
    assert.equal(server.seen.length, 1);
  } finally {
    await cache.delete();
  }
  assert.equal((await cache.info()).running, false);
  await req.request(server.url);
  await req.request(server.url);
  assert.equal(server.seen.length, 3, "no caching after delete()");
  const again = http.createHttpResponseCache(undefined, MEMORY);
  try {
    await req.request(server.url);
    await req.request(server.url);
    assert.equal(server.seen.length, 4, "caching again, starting empty");
  } finally {
    await again.delete();
  }
});

Deno.test("cache: flush() and delete() in callback and promise forms", async () => {
  const cache = http.createHttpResponseCache(undefined, MEMORY);
  try {
    assert.equal(await cache.flush(), undefined);
    const flushed = await new Promise<unknown[]>((resolve) =>
      cache.flush((...args: unknown[]) => resolve(args))
    );
    assert.deepEqual(flushed, [undefined, undefined]);
    const deleted = await new Promise<unknown[]>((resolve) =>
      cache.delete((...args: unknown[]) => resolve(args))
    );
    assert.deepEqual(deleted, [undefined, undefined]);
    assert.equal((await cache.info()).running, false);
    // Both are no-ops on a stopped cache.
    assert.equal(await cache.delete(), undefined);
    assert.equal(await cache.flush(), undefined);
    await assert.rejects(
      () => cache.flush("x" as never) as unknown as Promise<void>,
      (e: { code: number }) => e.code === 401,
    );
  } finally {
    await cache.delete();
  }
});

Deno.test("cache: createHttpResponseCache validates its arguments (401) and keeps the first configuration", async () => {
  for (const bad of [-1, 1.5, 11 * MiB, Number.NaN, "1024"]) {
    assert.throws(
      () => http.createHttpResponseCache(bad as number, MEMORY),
      (e: { code: number; message: string }) => e.code === 401 && /cacheSize/.test(e.message),
      String(bad),
    );
  }
  assert.throws(
    () => http.createHttpResponseCache(undefined, { location: "" }),
    (e: { code: number }) => e.code === 401,
  );
  const cache = http.createHttpResponseCache(2 * MiB, MEMORY);
  try {
    assert.equal((await cache.info()).maxSize, 2 * MiB);
    const second = http.createHttpResponseCache(3 * MiB, MEMORY);
    assert.equal((await second.info()).maxSize, 2 * MiB, "the running cache is kept");
  } finally {
    await cache.delete();
  }
  const large = http.createHttpResponseCache(undefined, { ...MEMORY, maxSize: 64 * MiB });
  try {
    assert.equal((await large.info()).maxSize, 64 * MiB);
  } finally {
    await large.delete();
  }
});

Deno.test("cache: an explicit location that cannot be opened makes flush() reject; requests still work", async () => {
  await using server = origin(() => text("x", { "cache-control": "max-age=600" }));
  const file = await Deno.makeTempFile();
  const cache = http.createHttpResponseCache(undefined, { location: `${file}/inside-a-file.kv` });
  try {
    using req = createHttp();
    assert.equal((await req.request(server.url)).result, "x");
    await assert.rejects(
      () => cache.flush(),
      (e: { code: number }) => e.code === 2300999,
    );
    const info = await cache.info();
    assert.equal(info.location, null);
    assert.ok(info.problem);
  } finally {
    await cache.delete();
    await Deno.remove(file);
  }
});
