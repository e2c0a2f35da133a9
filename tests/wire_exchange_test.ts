// The socket-level engine end to end against Deno.serve and raw servers: methods, request
// bodies (sized, chunked) with upload progress, content decoding, abort at each phase, https.

import assert from "node:assert/strict";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { bytesBody, type RequestBody } from "../src/core/body.ts";
import type { NetError } from "../src/core/errors.ts";
import { serve, testWith } from "./_helpers.ts";
import { byteServer, latin1, text, wireRequest, wireTransport } from "./_wire_helpers.ts";
import { certDir, makeCa, makeCert, OPENSSL } from "./_tls.ts";

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  tls: testWith(OPENSSL),
};

Deno.test("wire exchange: any token method, including those fetch refuses", async () => {
  await using server = serve(async (request) =>
    new Response(`${request.method} ${await request.text()}`)
  );
  using transport = wireTransport();
  for (const method of ["GET", "PATCH", "DELETE", "PROPFIND", "TRACK", "TRACE"]) {
    const response = await transport.send(wireRequest(server.url, { method }));
    assert.equal(await text(response), `${method} `);
  }
  const posted = await transport.send(
    wireRequest(server.url, { method: "POST", body: bytesBody(new TextEncoder().encode("hi")) }),
  );
  assert.equal(await text(posted), "POST hi");
  await assert.rejects(
    transport.send(wireRequest(server.url, { method: "GET /x HTTP/1.1\r\nx:" })),
    (error: NetError) => error.code === "INVALID_ARGUMENT",
  );
});

Deno.test("wire exchange: CONNECT sends the authority form and has no body", async () => {
  await using server = byteServer(() => "HTTP/1.1 200 Connection established\r\n\r\n");
  using transport = wireTransport();
  const response = await transport.send(
    wireRequest(`${server.url}/ignored`, { method: "CONNECT" }),
  );
  assert.equal(response.status, 200);
  assert.equal(response.body, null);
  assert.match(
    server.heads[0],
    new RegExp(`^CONNECT 127\\.0\\.0\\.1:${server.port} HTTP/1\\.1\r\n`),
  );
});

Deno.test("wire exchange: the request head carries Host, the caller's fields and fetch's defaults", async () => {
  await using server = byteServer(() => "HTTP/1.1 204 No Content\r\n\r\n");
  using transport = wireTransport();
  await transport.send(
    wireRequest(`${server.url}/a%20b?c=d`, { headers: new Headers({ "x-one": "1" }) }),
  );
  const head = server.heads[0];
  assert.match(head, /^GET \/a%20b\?c=d HTTP\/1\.1\r\nhost: 127\.0\.0\.1:\d+\r\n/);
  assert.match(head, /\r\nx-one: 1\r\n/);
  assert.match(head, /\r\naccept-encoding: gzip,br\r\n/);
  assert.match(head, /\r\nuser-agent: Deno\//);
  // The caller's own Accept-Encoding replaces the default.
  await transport.send(
    wireRequest(server.url, { headers: new Headers({ "accept-encoding": "identity" }) }),
  );
  assert.match(server.heads[1], /\r\naccept-encoding: identity\r\n/);
  assert.doesNotMatch(server.heads[1], /gzip/);
});

Deno.test("wire exchange: header values go out one byte per char; Connection: close and a bad Host are honoured on every head", async () => {
  await using server = byteServer(() => "HTTP/1.1 204 No Content\r\n\r\n");
  using transport = wireTransport();
  await transport.send(wireRequest(server.url, { headers: new Headers({ "x-latin": "caf\xe9" }) }));
  // 0xE9 alone (UTF-8 would send two bytes, which decode to "é").
  assert.ok(server.heads[0].includes("\r\nx-latin: caf\ufffd\r\n"), server.heads[0]);
  await transport.send(
    wireRequest(server.url, { headers: new Headers({ connection: "Keep-Alive, Close" }) }),
  );
  assert.equal(server.heads[1].match(/\r\nconnection: /gi)?.length, 1);
  assert.match(server.heads[1], /\r\nconnection: close\r\n/);
  for (let i = 0; i < 2; i++) {
    await assert.rejects(
      transport.send(wireRequest(server.url, { headers: new Headers({ host: "a b" }) })),
      (error: NetError) => error.code === "INVALID_ARGUMENT",
    );
  }
  assert.equal(server.heads.length, 2);
});

function streamBody(parts: string[], size: number): RequestBody {
  return {
    size,
    bytes: null,
    stream: () =>
      new ReadableStream({
        start(controller) {
          for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
          controller.close();
        },
      }),
  };
}

Deno.test("wire exchange: a sized stream body goes with Content-Length, an unsized one chunked", async () => {
  await using server = byteServer((head) =>
    `HTTP/1.1 200 OK\r\ncontent-length: ${head.length}\r\n\r\n${" ".repeat(head.length)}`
  );
  using transport = wireTransport();
  const progress: [number, number][] = [];
  const sized = await transport.send(wireRequest(server.url, {
    method: "PUT",
    body: streamBody(["abc", "defg"], 7),
    onUploadProgress: (sent, total) => progress.push([sent, total]),
  }));
  await text(sized);
  assert.match(server.heads[0], /\r\ncontent-length: 7\r\n\r\nabcdefg$/);
  assert.deepEqual(progress, [[3, 7], [7, 7]]);
  const unsized = await transport.send(wireRequest(server.url, {
    method: "POST",
    body: streamBody(["abc", "defg"], -1),
  }));
  await text(unsized);
  assert.match(
    server.heads[1],
    /\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n$/,
  );
  // A body that does not match its declared size fails and is never sent short.
  await assert.rejects(
    transport.send(wireRequest(server.url, { method: "PUT", body: streamBody(["abc"], 7) })),
    (error: NetError) => error.code === "READ_FILE_FAILED",
  );
});

Deno.test("wire exchange: a large in-memory body reports progress as it goes", async () => {
  await using server = serve(async (request) =>
    new Response(String((await request.arrayBuffer()).byteLength))
  );
  using transport = wireTransport();
  const size = 1024 * 1024;
  const progress: number[] = [];
  const response = await transport.send(wireRequest(server.url, {
    method: "POST",
    body: bytesBody(new Uint8Array(size)),
    onUploadProgress: (sent) => progress.push(sent),
  }));
  assert.equal(await text(response), String(size));
  assert.ok(progress.length > 2);
  assert.equal(progress.at(-1), size);
});

Deno.test("wire exchange: gzip, x-gzip, deflate and br bodies are decoded", async () => {
  const plain = "decoded ".repeat(1000);
  const encoded: Record<string, Uint8Array> = {
    gzip: gzipSync(plain),
    "x-gzip": gzipSync(plain),
    deflate: deflateSync(plain),
    br: brotliCompressSync(plain),
  };
  await using server = serve((request) => {
    const coding = new URL(request.url).searchParams.get("c")!;
    return new Response(encoded[coding] as Uint8Array<ArrayBuffer>, {
      headers: { "content-encoding": coding },
    });
  });
  using transport = wireTransport();
  for (const coding of Object.keys(encoded)) {
    const response = await transport.send(wireRequest(`${server.url}/?c=${coding}`));
    assert.equal(await text(response), plain, coding);
  }
});

Deno.test("wire exchange: a corrupt encoded body is a bad-encoding error", async () => {
  const bad = gzipSync("hello world, hello world");
  bad[bad.length - 12] ^= 0xff;
  for (
    const [coding, body] of [["gzip", bad], ["br", new Uint8Array([1, 2, 3, 4, 5, 6])]] as const
  ) {
    await using server = byteServer(() => {
      const head =
        `HTTP/1.1 200 OK\r\ncontent-encoding: ${coding}\r\ncontent-length: ${body.length}\r\n\r\n`;
      const out = new Uint8Array(head.length + body.length);
      out.set(latin1(head));
      out.set(body, head.length);
      return out;
    });
    using transport = wireTransport();
    const response = await transport.send(wireRequest(server.url));
    await assert.rejects(text(response), (error: NetError) => error.code === "BAD_ENCODING");
  }
});

Deno.test("wire exchange: abort while connecting, waiting for the head and reading the body", async () => {
  using transport = wireTransport();
  // Before anything: the reason itself.
  const early = new AbortController();
  early.abort(new Error("early"));
  await assert.rejects(
    transport.send(wireRequest("http://127.0.0.1:9/", { signal: early.signal })),
    /early/,
  );
  // Waiting for the head: the server never answers.
  await using silent = byteServer(() => new Uint8Array(0));
  const head = new AbortController();
  const pending = transport.send(wireRequest(silent.url, { signal: head.signal }));
  setTimeout(() => head.abort(new Error("during the head")), 20);
  await assert.rejects(pending, /during the head/);
  // Reading the body: half of it arrives.
  await using half = byteServer(() => "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello");
  const body = new AbortController();
  const response = await transport.send(wireRequest(half.url, { signal: body.signal }));
  const reader = response.body!.getReader();
  assert.equal(new TextDecoder().decode((await reader.read()).value), "hello");
  const next = reader.read();
  body.abort(new Error("during the body"));
  await assert.rejects(next, /during the body/);
  assert.equal(transport.pool.size, 0);
});

Deno.test("wire exchange: cancelling the body closes its connection", async () => {
  await using server = byteServer(() => "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello");
  using transport = wireTransport();
  const response = await transport.send(wireRequest(server.url));
  await response.body!.cancel();
  assert.equal(transport.pool.size, 0);
});

Deno.test("wire exchange: a large body streams through a BYOB reader with backpressure", async () => {
  const size = 4 * 1024 * 1024;
  await using server = serve(() => new Response(new Uint8Array(size).fill(7)));
  using transport = wireTransport();
  const response = await transport.send(wireRequest(server.url));
  const reader = response.body!.getReader({ mode: "byob" });
  let received = 0;
  let buffer = new Uint8Array(64 * 1024);
  for (;;) {
    const { done, value } = await reader.read(buffer);
    if (done) break;
    received += value.byteLength;
    assert.equal(value[0], 7);
    buffer = new Uint8Array(value.buffer);
  }
  assert.equal(received, size);
  assert.equal(transport.pool.size, 1);
});

test.tls("wire exchange: https with an extra CA, TLS facts, and an untrusted server refused", async () => {
  await using dir = await certDir("wire-https");
  if (!dir) return;
  const ca = await makeCa(dir.path, "ca", { cn: "Wire Test CA" });
  const leaf = await makeCert(dir.path, "leaf", ca, {
    cn: "localhost",
    san: "DNS:localhost,IP:127.0.0.1",
  });
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(leaf.pem),
    key: await Deno.readTextFile(leaf.key),
    onListen() {},
  }, () => new Response("secure"));
  try {
    const url = `https://localhost:${server.addr.port}/`;
    {
      using transport = wireTransport({
        caPath: null,
        caData: await Deno.readTextFile(ca.pem),
        clientCert: null,
        proxy: "direct",
        dns: null,
        exactConnectTimeout: false,
      });
      const response = await transport.send(wireRequest(url));
      assert.equal(await text(response), "secure");
      assert.match(response.connection!.tlsVersion ?? "", /^TLSv1\.[23]$/);
      assert.equal(response.connection!.protocol, "http/1.1");
      assert.ok(response.connection!.phases?.tls);
    }
    using untrusted = wireTransport();
    await assert.rejects(
      untrusted.send(wireRequest(url)),
      (error: NetError) => error.code === "TLS_PEER",
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("wire exchange: the Fetch standard's bad ports are refused before connecting", async () => {
  using transport = wireTransport();
  for (const port of [25, 6000, 6667]) {
    await assert.rejects(
      transport.send(wireRequest(`http://127.0.0.1:${port}/`, { method: "TRACE" })),
      (error: NetError) => error.code === "CONNECT_FAILED" && /blocked/.test(error.message),
    );
  }
});
