// Who may be served a stored response, and what the cache costs on disk:
// a response is never served to a request with other credentials or none
// (both faces), requests that reach another server (here: through a proxy)
// never share an entry, the cache file stays within a small multiple of the
// size bound, and running without Deno KV says so once, naming the flag.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import http, { Network } from "../mod.ts";
import { bodyBytes, CHILD, KiB, MiB, origin, runChild, tempDir } from "./_cache_helpers.ts";
import { serve } from "./_helpers.ts";

const MEMORY = { location: ":memory:" };

/** An origin whose body names the credentials it saw; the response is `private`, fresh for a minute. */
function whoAmI() {
  return origin((request) => {
    const who = `${request.headers.get("authorization") ?? "-"}|${
      request.headers.get("cookie") ?? "-"
    }`;
    return new Response(who, { headers: { "cache-control": "private, max-age=60" } });
  });
}

async function ohosGet(url: string, header: Record<string, string> = {}) {
  const req = http.createHttp();
  try {
    const res = await req.request(url, { header });
    return { text: String(res.result), fromCache: res.performanceTiming.fromCache === true };
  } finally {
    req.destroy();
  }
}

Deno.test("cache scope: a response to one user's credentials is never served to other credentials or none (http face)", async () => {
  await using server = whoAmI();
  const cache = http.createHttpResponseCache(undefined, MEMORY);
  try {
    const url = `${server.url}/me`;
    const alice = { authorization: "Bearer alice" };
    assert.deepEqual(await ohosGet(url, alice), { text: "Bearer alice|-", fromCache: false });
    assert.deepEqual(await ohosGet(url, alice), { text: "Bearer alice|-", fromCache: true });
    assert.deepEqual(await ohosGet(url, { authorization: "Bearer bob" }), {
      text: "Bearer bob|-",
      fromCache: false,
    });
    assert.deepEqual(await ohosGet(url), { text: "-|-", fromCache: false });
    assert.deepEqual(await ohosGet(url, { cookie: "session=alice" }), {
      text: "-|session=alice",
      fromCache: false,
    });
    assert.deepEqual(await ohosGet(url, { cookie: "session=bob" }), {
      text: "-|session=bob",
      fromCache: false,
    });
    // Each set of credentials keeps its own entry.
    assert.deepEqual(await ohosGet(url, alice), { text: "Bearer alice|-", fromCache: true });
    assert.deepEqual(await ohosGet(url), { text: "-|-", fromCache: true });
    assert.equal(server.count("/me"), 5);
  } finally {
    await cache.delete();
  }
});

Deno.test("cache scope: a response to server authentication (answered below the cache) is never served without it", async () => {
  await using server = whoAmI();
  const cache = http.createHttpResponseCache(undefined, MEMORY);
  const req = http.createHttp();
  try {
    const url = `${server.url}/me`;
    const as = (username: string) => ({
      serverAuthentication: {
        credential: { username, password: "pw" },
        authenticationType: "basic" as const,
      },
    });
    const first = await req.request(url, as("alice"));
    assert.equal(first.result, `Basic ${btoa("alice:pw")}|-`);
    const again = await req.request(url, as("alice"));
    assert.equal(again.performanceTiming.fromCache, true);
    const other = await req.request(url, as("bob"));
    assert.equal(other.result, `Basic ${btoa("bob:pw")}|-`);
    const none = await req.request(url);
    assert.equal(none.result, "-|-");
    assert.equal(server.count("/me"), 3);
  } finally {
    req.destroy();
    await cache.delete();
  }
});

function tiGet(url: string, headers: Record<string, string>): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const xhr = Network.createHTTPClient({
      cache: true,
      onload() {
        resolve(this.responseText);
      },
      onerror(e) {
        reject(new Error(`onerror ${e.code} ${e.error}`));
      },
    });
    xhr.open("GET", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.send();
  });
}

Deno.test("cache scope: a response to one user's credentials is never served to other credentials or none (Network face)", async () => {
  await using server = whoAmI();
  const cache = http.createHttpResponseCache(undefined, MEMORY);
  try {
    const url = `${server.url}/me`;
    assert.equal(await tiGet(url, { Authorization: "Basic YTpi" }), "Basic YTpi|-");
    assert.equal(await tiGet(url, { Authorization: "Basic YTpi" }), "Basic YTpi|-");
    assert.equal(server.count("/me"), 1, "the same credentials are served from the cache");
    assert.equal(await tiGet(url, { Authorization: "Basic Yzpk" }), "Basic Yzpk|-");
    assert.equal(await tiGet(url, {}), "-|-");
    assert.equal(server.count("/me"), 3);
  } finally {
    await cache.delete();
  }
});

Deno.test("cache scope: a request through a proxy never gets the entry of a direct request for the same URL", async () => {
  await using server = origin(() =>
    new Response("from the origin", { headers: { "cache-control": "max-age=60" } })
  );
  // Deno.serve answers the proxy's absolute-form requests itself: another server, same URL.
  await using proxy = serve(() =>
    new Response("from the proxy", { headers: { "cache-control": "max-age=60" } })
  );
  const cache = http.createHttpResponseCache(undefined, MEMORY);
  const req = http.createHttp();
  try {
    const url = `${server.url}/page`;
    const viaProxy = { usingProxy: { host: "127.0.0.1", port: Number(new URL(proxy.url).port) } };
    assert.equal((await req.request(url)).result, "from the origin");
    const proxied = await req.request(url, viaProxy);
    assert.equal(proxied.result, "from the proxy");
    assert.notEqual(proxied.performanceTiming.fromCache, true);
    const again = await req.request(url);
    assert.equal(again.result, "from the origin");
    assert.equal(again.performanceTiming.fromCache, true);
    assert.equal((await req.request(url, viaProxy)).performanceTiming.fromCache, true);
  } finally {
    req.destroy();
    await cache.delete();
  }
});

Deno.test("cache size: the database file stays within a small multiple of the size bound, its log within SQLite's checkpoint, and delete() gives the space back", async () => {
  await using dir = await tempDir();
  const maxSize = 1 * MiB;
  const body = bodyBytes(200 * KiB, 7);
  await using server = origin(() =>
    new Response(body, { headers: { "cache-control": "max-age=600" } })
  );
  const cache = http.createHttpResponseCache(undefined, {
    location: `${dir.path}/cache.kv`,
    maxSize,
  });
  const req = http.createHttp();
  const sizeOf = (name: string) => Deno.stat(`${dir.path}/${name}`).then((s) => s.size, () => 0);
  let largest = 0;
  let largestWal = 0;
  try {
    // 100 distinct responses: 20 times the bound passes through the cache.
    for (let i = 0; i < 100; i++) {
      await req.request(`${server.url}/r${i}`);
      if (i % 10 === 9) {
        await cache.flush();
        largest = Math.max(largest, await sizeOf("cache.kv"));
        largestWal = Math.max(largestWal, await sizeOf("cache.kv-wal"));
      }
    }
    assert.ok((await cache.info()).bytes <= maxSize);
  } finally {
    req.destroy();
    await cache.delete();
  }
  // delete() gives the space back (a vacuum, which Deno allows node:sqlite with --allow-all).
  const child = await runChild({
    location: `${dir.path}/child.kv`,
    maxSize,
    requests: Array.from({ length: 12 }, (_, i) => ({ url: `${server.url}/c${i}` })),
    end: "delete",
  });
  assert.deepEqual(new Set(child.results.map((r) => r.status)), new Set([200]));
  const emptied = await sizeOf("child.kv") + await sizeOf("child.kv-wal");
  assert.ok(emptied < maxSize / 4, `${emptied} bytes on disk after delete()`);
  // The database: live entries, dropped bodies still in grace (at most the bound), free pages.
  assert.ok(largest <= 4 * maxSize, `${largest} bytes on disk for a bound of ${maxSize}`);
  // SQLite's write-ahead log: checkpointed every 1000 pages, whatever the bound.
  assert.ok(largestWal <= 5 * MiB, `${largestWal} bytes of write-ahead log`);
});

Deno.test("cache flags: without Deno KV, one warning names --unstable-kv and info() says why", async () => {
  await using dir = await tempDir();
  // The project's config, without "unstable": ["kv"].
  const config = JSON.parse(
    await Deno.readTextFile(fileURLToPath(new URL("../deno.json", import.meta.url))),
  );
  delete config.unstable;
  await Deno.writeTextFile(`${dir.path}/deno.json`, JSON.stringify(config));
  await using server = origin(() =>
    new Response("x", { headers: { "cache-control": "max-age=60" } })
  );
  const job = { location: "", requests: [{ url: `${server.url}/a` }, { url: `${server.url}/a` }] };
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--no-lock",
      "--config",
      `${dir.path}/deno.json`,
      "-A",
      CHILD,
      JSON.stringify(job),
    ],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", XDG_CACHE_HOME: dir.path },
    stdin: "null",
  }).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, stderr);
  const { results, info } = JSON.parse(stdout.trim().split("\n").pop()!);
  assert.deepEqual(results.map((r: { status: number }) => r.status), [200, 200]);
  const warnings = stderr.split("\n").filter((line) => line.startsWith("netstack-http:"));
  assert.equal(warnings.length, 1, stderr);
  assert.match(warnings[0]!, /--unstable-kv/);
  assert.match(String(info.problem), /--unstable-kv/);
  assert.equal(server.count("/a"), 2);
});
