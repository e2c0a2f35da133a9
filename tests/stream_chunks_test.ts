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

Deno.test("a listener that gives chunks back gets them in order, one at a time, while the next read goes on", async () => {
  const { readBody } = await import("../src/core/read_body.ts");
  const { Deadline } = await import("../src/core/timeouts.ts");
  let offset = 0;
  let pulls = 0;
  const stream = new ReadableStream({
    type: "bytes",
    pull(controller: ReadableByteStreamController) {
      pulls++;
      const view = controller.byobRequest!.view as Uint8Array;
      const n = Math.min(view.byteLength, 50_000, SIZE - offset);
      view.set(body.subarray(offset, offset + n));
      offset += n;
      controller.byobRequest!.respond(n);
      if (offset === SIZE) controller.close();
    },
  });
  const headers = new Headers({ "content-length": String(SIZE) });
  const request = {
    bodyMode: "stream",
    method: "GET",
    maxBodySize: Infinity,
  } as unknown as Parameters<
    typeof readBody
  >[2];
  const deadline = new Deadline({ totalTimeout: 0, connectTimeout: 0, signal: null, startTime: 0 });
  const written = new Uint8Array(SIZE);
  let at = 0;
  let busy = false;
  let readAhead = 0;
  await readBody(
    { status: 200, statusText: "", headers, body: stream, connection: null },
    headers,
    request,
    {
      onData: async (chunk) => {
        assert.ok(!busy, "called while the previous chunk was still being worked on");
        busy = true;
        const before = pulls;
        written.set(chunk, at);
        at += chunk.byteLength;
        await new Promise((resolve) => AbortSignal.timeout(1).onabort = resolve);
        if (pulls > before) readAhead++;
        busy = false;
      },
    },
    deadline,
  );
  deadline.clear();
  assert.equal(at, SIZE);
  assert.ok(written.every((value, i) => value === body[i]), "bytes differ");
  assert.ok(readAhead > 0, "no read went on while the listener worked");
});
