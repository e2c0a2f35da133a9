// HTTPClient `cache`: the KV response cache opened by http.createHttpResponseCache().
import assert from "node:assert/strict";
import http, { Network } from "../mod.ts";
import { serve } from "./_helpers.ts";

function get(url: string, cache: boolean): Promise<{ status: number; text: string | null }> {
  return new Promise((resolve, reject) => {
    const xhr = Network.createHTTPClient({
      cache,
      onload() {
        resolve({ status: this.status, text: this.responseText });
      },
      onerror(e) {
        reject(new Error(`onerror ${e.code} ${e.error}`));
      },
    });
    xhr.open("GET", url);
    xhr.send();
  });
}

Deno.test("HTTPClient cache: true is answered from the KV cache, cache: false goes to the network", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response(`body ${hits}`, { headers: { "cache-control": "max-age=60" } });
  });
  const cache = http.createHttpResponseCache(undefined, { location: ":memory:" });
  try {
    const url = `${server.url}/cached`;
    assert.deepEqual(await get(url, true), { status: 200, text: "body 1" });
    assert.deepEqual(await get(url, true), { status: 200, text: "body 1" });
    assert.equal(hits, 1, "the second request was a cache hit");
    assert.deepEqual(await get(url, false), { status: 200, text: "body 2" });
    assert.equal(hits, 2, "cache: false went to the network");
  } finally {
    await cache.delete();
  }
});

Deno.test("HTTPClient cache: true without an opened cache goes to the network", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response("x", { headers: { "cache-control": "max-age=60" } });
  });
  await get(server.url, true);
  await get(server.url, true);
  assert.equal(hits, 2);
});
