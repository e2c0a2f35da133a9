// Body reading on every path the core takes, checked byte for byte against real servers: in one
// go, chunk by chunk into arrays filled in place (sized and chunked bodies, under an idle limit,
// above the 8 MiB array cap), streamed through one reused array (listeners keep copies), and
// written to a file. A body read to its declared length leaves its connection for the next
// request.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Network } from "../mod.ts";
import { createHttp, onEngine, serve } from "./_helpers.ts";

const MiB = 1024 * 1024;

/** Bytes that differ from one position to the next, so a reused or shifted chunk shows. */
function pattern(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 10)) % 251;
  return bytes;
}

/** Serves `/sized` with a Content-Length and `/chunked` without, in uneven pieces. */
function bodyServer(body: Uint8Array<ArrayBuffer>) {
  return serve((request) => {
    if (new URL(request.url).pathname === "/sized") return new Response(body);
    let offset = 0;
    let step = 1;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (offset >= body.byteLength) return controller.close();
          step = (step * 5) % 100_003 + 1; // 1 B to ~100 KiB, never the same twice in a row
          controller.enqueue(body.slice(offset, offset + step));
          offset += step;
        },
      }),
    );
  });
}

function join8(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

const body = pattern(3 * MiB + 12_345);

for (const path of ["/sized", "/chunked"]) {
  Deno.test(`http request(): ${path} body of 3 MiB is byte-exact in one go and with progress`, async () => {
    await using server = bodyServer(body);
    using req = createHttp();
    const plain = await req.request(`${server.url}${path}`, { expectDataType: 2 });
    assert.deepEqual(new Uint8Array(plain.result as ArrayBuffer), body);
    // A size limit just above the body: chunk by chunk, the limit checked per chunk.
    const limited = await req.request(`${server.url}${path}`, {
      expectDataType: 2,
      maxLimit: body.byteLength,
    });
    assert.deepEqual(new Uint8Array(limited.result as ArrayBuffer), body);
  });

  Deno.test(`http requestInStream(): kept ${path} chunks hold the exact body`, async () => {
    await using server = bodyServer(body);
    using req = createHttp();
    const kept: ArrayBuffer[] = [];
    req.on("dataReceive", (chunk: ArrayBuffer) => kept.push(chunk));
    assert.equal(await req.requestInStream(`${server.url}${path}`), 200);
    assert.ok(kept.length > 1, "several chunks");
    assert.deepEqual(join8(kept.map((c) => new Uint8Array(c))), body);
  });

  Deno.test(`Network: ${path} body is byte-exact under the idle limit and via ondatastream`, async () => {
    await using server = bodyServer(body);
    for (const streamed of [false, true]) {
      const xhr = Network.createHTTPClient({ timeout: 5000 });
      if (streamed) xhr.ondatastream = () => {};
      xhr.open("GET", `${server.url}${path}`);
      await xhr.send();
      assert.equal(xhr.status, 200);
      assert.deepEqual(
        await xhr.responseData!.bytes(),
        body,
        streamed ? "ondatastream" : "buffered",
      );
    }
  });

  Deno.test(`Network file: a ${path} body of 5 MiB arrives byte-exact on disk`, async () => {
    const big = pattern(5 * MiB + 777);
    await using server = bodyServer(big);
    const dir = await Deno.makeTempDir();
    try {
      const file = join(dir, "out.bin");
      const xhr = Network.createHTTPClient({ file });
      xhr.open("GET", `${server.url}${path}`);
      await xhr.send();
      assert.equal(xhr.status, 200);
      assert.deepEqual(await Deno.readFile(file), big);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("a sized body above the 8 MiB array cap is joined byte-exact on both faces", async () => {
  const big = pattern(9 * MiB + 4321);
  await using server = bodyServer(big);
  using req = createHttp();
  const result = await req.request(`${server.url}/sized`, {
    expectDataType: 2,
    maxLimit: 10 * MiB,
  });
  assert.deepEqual(new Uint8Array(result.result as ArrayBuffer), big);
  const xhr = Network.createHTTPClient();
  xhr.open("GET", `${server.url}/sized`);
  await xhr.send();
  assert.equal(xhr.status, 200);
  assert.deepEqual(await xhr.responseData!.bytes(), big);
});

Deno.test("bodies read to their declared length leave the connection for the next request", async () => {
  // Small bodies are read in one go, large ones into one array of their size and Network's under
  // its idle limit chunk by chunk: the last two stop at the declared length and cancel the rest.
  // On the default path from the first request (no warm-up on fetch: one pool throughout).
  using _engine = onEngine();
  const ports = new Set<number>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => {
      ports.add(info.remoteAddr.port);
      return new Response(pattern(Number(new URL(request.url).searchParams.get("size"))));
    },
  );
  try {
    using req = createHttp();
    for (const size of [13, 64 * 1024, 300 * 1024]) {
      const url = `http://127.0.0.1:${server.addr.port}/?size=${size}`;
      for (let i = 0; i < 5; i++) {
        const result = await req.request(url, { expectDataType: 2 });
        assert.equal((result.result as ArrayBuffer).byteLength, size);
        const xhr = Network.createHTTPClient({ timeout: 5000 });
        xhr.open("GET", url);
        await xhr.send();
        assert.equal(xhr.responseData!.size, size);
      }
    }
    assert.equal(ports.size, 1, `connections used: ${ports.size}`);
  } finally {
    await server.shutdown();
  }
});
