// dataReceive hands listeners chunks they may keep: no chunk is overwritten
// by a later read, whether it was copied or handed over whole (issue 18).

import assert from "node:assert/strict";
import { createHttp, serve } from "./_helpers.ts";
import { Network } from "../mod.ts";

const SIZE = 3 * 1024 * 1024 + 777;
const body = new Uint8Array(SIZE).map((_, i) => (i * 7 + (i >> 16)) & 0xff);

Deno.test("dataReceive: kept chunks stay intact, and every listener sees the same bytes", async () => {
  await using server = serve(() => new Response(body));
  using req = createHttp();
  const first: ArrayBuffer[] = [];
  const second: ArrayBuffer[] = [];
  req.on("dataReceive", (chunk) => first.push(chunk));
  req.on("dataReceive", (chunk) => second.push(chunk));
  await req.requestInStream(server.url);
  const joined = new Uint8Array(await new Blob(first).arrayBuffer());
  assert.equal(joined.byteLength, SIZE);
  assert.ok(joined.every((value, i) => value === body[i]), "bytes differ");
  assert.deepEqual(second, first);
  assert.ok(first.every((chunk) => !chunk.detached));
});

Deno.test("requestInStream without a dataReceive listener still ends with dataEnd", async () => {
  await using server = serve(() => new Response(body));
  using req = createHttp();
  let ended = false;
  req.on("dataEnd", () => ended = true);
  assert.equal(await req.requestInStream(server.url), 200);
  assert.ok(ended);
});

Deno.test("Network: a large body arrives intact", async () => {
  await using server = serve(() => new Response(body));
  const data = await new Promise<Uint8Array>((resolve, reject) => {
    const client = Network.createHTTPClient({
      onload() {
        this.responseData.arrayBuffer().then((b: ArrayBuffer) => resolve(new Uint8Array(b)));
      },
      onerror: (e) => reject(new Error(e.error)),
      ondatastream: () => {}, // streams the body through the core's chunks
    });
    client.open("GET", server.url);
    client.send();
  });
  assert.equal(data.byteLength, SIZE);
  assert.ok(data.every((value, i) => value === body[i]), "bytes differ");
});
