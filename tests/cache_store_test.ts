// The response cache's KV storage: corrupt and partial entries are ignored
// and replaced, abandoned writes and dropped bodies are collected, the byte
// total stays exact, and concurrent writers in one process agree.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { checkConsistency } from "../src/cache/consistency.ts";
import { urlPart } from "../src/cache/entry_key.ts";
import { KvStore } from "../src/cache/kv_store.ts";
import { ROOT } from "../src/cache/store_layout.ts";
import { bodyBytes, createHttp, KiB, origin, sha256, tempDir } from "./_cache_helpers.ts";

/** A file-backed cache plus a second handle on the same database, both closed by `await using`. */
async function fileCache() {
  const dir = await tempDir();
  const location = `${dir.path}/cache.kv`;
  const cache = http.createHttpResponseCache(undefined, { location });
  const kv = await Deno.openKv(location);
  return {
    cache,
    kv,
    location,
    async [Symbol.asyncDispose]() {
      kv.close();
      await cache.delete();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** The only stored entry key for `url`. */
async function entryKeyOf(kv: Deno.Kv, url: string): Promise<Deno.KvKey> {
  const keys: Deno.KvKey[] = [];
  for await (const item of kv.list({ prefix: [...ROOT, "e", await urlPart(url)] })) {
    keys.push(item.key);
  }
  assert.equal(keys.length, 1, `one entry for ${url}`);
  return keys[0]!;
}

async function settled(cache: http.HttpResponseCache, kv: Deno.Kv) {
  await cache.flush();
  const report = await checkConsistency(kv);
  assert.deepEqual(report.problems, [], JSON.stringify(report));
  return report;
}

Deno.test("cache store: a corrupt entry value is ignored and replaced", async () => {
  await using server = origin((_r, _u, n) =>
    new Response(`body ${n}`, { headers: { "cache-control": "max-age=600" } })
  );
  await using store = await fileCache();
  using req = createHttp();
  const url = `${server.url}/x`;
  assert.equal((await req.request(url)).result, "body 1");
  const key = await entryKeyOf(store.kv, url);
  await store.kv.set(key, { v: 1, junk: true });
  assert.equal((await req.request(url)).result, "body 2", "the junk is not served");
  assert.equal((await req.request(url)).result, "body 2", "and was replaced");
  assert.equal(server.seen.length, 2);
  const report = await settled(store.cache, store.kv);
  assert.equal(report.entries, 1);
});

Deno.test("cache store: an entry missing a chunk is never served and is replaced", async () => {
  const body = bodyBytes(300 * KiB, 9);
  await using server = origin(() =>
    new Response(body, { headers: { "cache-control": "max-age=600" } })
  );
  await using store = await fileCache();
  using req = createHttp();
  const url = `${server.url}/chunks`;
  await req.request(url);
  const entry =
    (await store.kv.get<{ id: string; chunks: number }>(await entryKeyOf(store.kv, url))).value!;
  assert.equal(entry.chunks, 5);

  // Buffered: the gap is found before anything is delivered, so it is a miss.
  await store.kv.delete([...ROOT, "c", entry.id, 1]);
  const res = await req.request(url, { expectDataType: http.HttpDataType.ARRAY_BUFFER });
  assert.equal(await sha256(new Uint8Array(res.result as ArrayBuffer)), await sha256(body));
  assert.equal(server.seen.length, 2);
  await store.cache.flush();
  const second = (await store.kv.get<{ id: string }>(await entryKeyOf(store.kv, url))).value!;
  assert.notEqual(second.id, entry.id, "replaced by a complete entry");

  // Streamed: a gap found after part of the body went out ends the request with 2300018.
  await store.kv.delete([...ROOT, "c", second.id, 3]);
  let streamed = 0;
  req.on("dataReceive", (c: ArrayBuffer) => streamed += c.byteLength);
  await assert.rejects(
    () => req.requestInStream(url),
    (e: { code: number }) => e.code === 2300018,
  );
  assert.ok(streamed > 0 && streamed < body.byteLength, `${streamed} bytes before the gap`);
  req.off("dataReceive");
  const again = await req.request(url, { expectDataType: http.HttpDataType.ARRAY_BUFFER });
  assert.equal(await sha256(new Uint8Array(again.result as ArrayBuffer)), await sha256(body));
  assert.equal(server.seen.length, 3);
  await settled(store.cache, store.kv);
});

Deno.test("cache store: abandoned writes and dropped bodies are collected", async () => {
  using kv = await Deno.openKv(":memory:");
  const store = new KvStore(kv, {
    maxSize: 1 << 20,
    maxEntrySize: 1 << 20,
    graceMs: 0,
    staleWriteMs: 0,
  });
  try {
    // An abandoned write: a `p` record and two chunks, no entry.
    await kv.atomic()
      .set([...ROOT, "p", "dead"], { t: Date.now() - 1 })
      .set([...ROOT, "c", "dead", 0], new Uint8Array(10))
      .set([...ROOT, "c", "dead", 1], new Uint8Array(10))
      .commit();
    // A dropped body awaiting deletion.
    await kv.atomic()
      .set([...ROOT, "g", "old"], { t: Date.now() - 1 })
      .set([...ROOT, "c", "old", 0], new Uint8Array(10))
      .commit();
    const before = await checkConsistency(kv);
    assert.equal(before.pending, 1);
    assert.equal(before.dropped, 1);
    await store.collectGarbage();
    const after = await checkConsistency(kv);
    assert.deepEqual(after.problems, []);
    assert.equal(after.pending, 0);
    assert.equal(after.dropped, 0);
    for await (const item of kv.list({ prefix: [...ROOT, "c"] })) {
      assert.fail(`left: ${String(item.key)}`);
    }
  } finally {
    await store.close();
  }
});

Deno.test("cache store: a wrong byte total is repaired from the entries", async () => {
  await using server = origin(() =>
    new Response("x".repeat(5000), { headers: { "cache-control": "max-age=600" } })
  );
  await using store = await fileCache();
  using req = createHttp();
  await req.request(`${server.url}/a`);
  await req.request(`${server.url}/b`);
  const good = await settled(store.cache, store.kv);
  await store.kv.set([...ROOT, "total"], 123);
  const s = new KvStore(await Deno.openKv(store.location), {
    maxSize: 1 << 20,
    maxEntrySize: 1 << 20,
  });
  try {
    await s.repairTotal();
  } finally {
    await s.close();
  }
  const repaired = await settled(store.cache, store.kv);
  assert.equal(repaired.total, good.total);
});

Deno.test("cache store: concurrent requests for the same and different URLs keep the store consistent", async () => {
  await using server = origin(async (_r, url) => {
    await new Promise((r) => setTimeout(r, Math.random() * 5));
    const n = Number(url.pathname.slice(1));
    return new Response(bodyBytes(10 * KiB + n * 7 * KiB, n), {
      headers: { "cache-control": "max-age=600" },
    });
  });
  await using store = await fileCache();
  using req = createHttp();
  const urls = Array.from({ length: 40 }, (_, i) => `${server.url}/${i % 10}`);
  const results = await Promise.all(
    urls.map((u, i) =>
      i % 2
        ? req.request(u, { expectDataType: http.HttpDataType.ARRAY_BUFFER })
          .then((r) => new Uint8Array(r.result as ArrayBuffer))
        : req.request(u, { expectDataType: http.HttpDataType.ARRAY_BUFFER, usingCache: false })
          .then((r) => new Uint8Array(r.result as ArrayBuffer))
    ),
  );
  for (const [i, bytes] of results.entries()) {
    const n = i % 10;
    assert.equal(await sha256(bytes), await sha256(bodyBytes(10 * KiB + n * 7 * KiB, n)));
  }
  const report = await settled(store.cache, store.kv);
  assert.equal(report.entries, 10);
});

Deno.test("cache store: long URLs are cached, and delete() clears many long keys within KV's limits", async () => {
  await using server = origin(() =>
    new Response("long", { headers: { "cache-control": "max-age=600" } })
  );
  await using dir = await tempDir();
  const location = `${dir.path}/long.kv`;
  const cache = http.createHttpResponseCache(undefined, { location });
  try {
    using req = createHttp();
    const urls = Array.from(
      { length: 60 },
      (_, i) => `${server.url}/p?i=${i}&q=${"x".repeat(950)}`,
    );
    urls.push(`${server.url}/p?huge=${"y".repeat(3000)}`); // above 1 KiB: keyed by its hash
    for (const url of urls) await req.request(url);
    for (const url of urls) await req.request(url);
    assert.equal(server.seen.length, urls.length, "every second request was a hit");
    assert.equal((await cache.info()).entries, urls.length);
  } finally {
    await cache.delete();
  }
  using kv = await Deno.openKv(location);
  for await (const item of kv.list({ prefix: [...ROOT] })) assert.fail(`left: ${String(item.key)}`);
});

Deno.test("cache store: a local store locked by another process costs one deadline, then recovers", async () => {
  await using dir = await tempDir();
  const location = `${dir.path}/cache.kv`;
  const storeTimeout = 300;
  await using server = origin(() =>
    new Response("fresh", { headers: { "cache-control": "max-age=60" } })
  );
  const cache = http.createHttpResponseCache(undefined, { location, storeTimeout });
  const req = createHttp();
  const get = async (path: string) => {
    const started = performance.now();
    const res = await req.request(`${server.url}${path}`);
    return {
      status: res.responseCode,
      fromCache: res.performanceTiming.fromCache === true,
      ms: performance.now() - started,
    };
  };
  // Another process takes SQLite's write lock on the database and holds it.
  const locker = new Deno.Command("python3", {
    args: [
      "-c",
      "import sqlite3,sys\n" +
      "c=sqlite3.connect(sys.argv[1],isolation_level=None,timeout=0)\n" +
      "c.execute('BEGIN EXCLUSIVE')\nprint('locked',flush=True)\nsys.stdin.readline()\n" +
      "c.execute('ROLLBACK')",
      location,
    ],
    stdin: "piped",
    stdout: "piped",
  });
  try {
    assert.equal((await get("/a")).fromCache, false);
    assert.equal((await get("/a")).fromCache, true);
    const holder = locker.spawn();
    const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assert.match((await reader.read()).value ?? "", /locked/);
    try {
      const blocked = await get("/b");
      assert.equal(blocked.status, 200);
      assert.ok(blocked.ms < 5 * storeTimeout, `${blocked.ms} ms`);
      const info = await cache.info();
      assert.match(String(info.degraded?.reason), /locked|no answer/);
      assert.equal((await get("/a")).fromCache, false, "a degraded store is not used");
    } finally {
      const writer = holder.stdin.getWriter();
      await writer.write(new TextEncoder().encode("\n"));
      await writer.close();
      await holder.status;
      await reader.cancel();
    }
    for (let i = 0; i < 200 && (await cache.info()).degraded; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal((await cache.info()).degraded, null, "the probe found the store again");
    assert.equal((await get("/c")).fromCache, false);
    assert.equal((await get("/c")).fromCache, true);
  } finally {
    req.destroy();
    await cache.delete();
  }
});
