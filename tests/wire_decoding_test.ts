// Content decoding on the socket-level engine: gzip, deflate and br bodies are handed on in
// bounded pieces, only as fast as they are read (a bomb cannot fill memory before a size limit
// downstream sees it); truncated or trailing data is a bad-encoding error; brotli needs no
// permission.

import assert from "node:assert/strict";
import { brotliCompressSync, constants, deflateSync, gzipSync } from "node:zlib";
import type { NetError } from "../src/core/errors.ts";
import { byteServer, latin1, text, wireRequest, wireTransport } from "./_wire_helpers.ts";
import { runDenoScript, serve } from "./_helpers.ts";

const MIB = 1024 * 1024;

/** 64 MiB of zeros in each coding (gzip and deflate reach about 1000:1, brotli far more). */
function bombs(): Record<string, Uint8Array> {
  const zeros = new Uint8Array(64 * MIB);
  return {
    gzip: gzipSync(zeros),
    deflate: deflateSync(zeros),
    br: brotliCompressSync(zeros, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }),
  };
}

/** One response: `body` as sent, with `coding` as its content coding. */
function encoded(coding: string, body: Uint8Array): Uint8Array {
  const head = latin1(
    `HTTP/1.1 200 OK\r\ncontent-encoding: ${coding}\r\ncontent-length: ${body.byteLength}\r\n\r\n`,
  );
  const out = new Uint8Array(head.byteLength + body.byteLength);
  out.set(head);
  out.set(body, head.byteLength);
  return out;
}

/** Serves `bodies[c]` for `/?c=c`, labelled with Content-Encoding `c`. */
function codedServer(bodies: Record<string, Uint8Array>) {
  return serve((request) => {
    const coding = new URL(request.url).searchParams.get("c")!;
    return new Response(bodies[coding] as Uint8Array<ArrayBuffer>, {
      headers: { "content-encoding": coding },
    });
  });
}

Deno.test("wire decoding: a bomb comes in pieces of at most 64 KiB, decoded only as read", async () => {
  const bodies = bombs();
  await using server = codedServer(bodies);
  using transport = wireTransport();
  for (const coding of Object.keys(bodies)) {
    assert.ok(bodies[coding].byteLength < MIB, `${coding}: ${bodies[coding].byteLength} bytes`);
    const response = await transport.send(wireRequest(`${server.url}/?c=${coding}`));
    const reader = response.body!.getReader();
    const before = Deno.memoryUsage().rss;
    let read = 0;
    for (let i = 0; i < 16; i++) {
      const { value } = await reader.read();
      assert.ok(value!.byteLength <= 64 * 1024, `${coding}: a piece of ${value!.byteLength}`);
      // Plain Uint8Arrays: consumers copy with slice(), which a Node Buffer does not do.
      assert.equal(Object.getPrototypeOf(value), Uint8Array.prototype, coding);
      read += value!.byteLength;
    }
    // The reader stops: the decoder waits instead of filling memory with the other ~63 MiB.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const grown = Deno.memoryUsage().rss - before;
    assert.ok(grown < 32 * MIB, `${coding}: RSS grew by ${grown} bytes after ${read} read`);
    await reader.cancel();
  }
});

Deno.test("wire decoding: every piece of a large body arrives, in order", async () => {
  const plain = new Uint8Array(3 * MIB + 17);
  for (let i = 0; i < plain.byteLength; i++) plain[i] = (i * 7 + (i >> 12)) & 0xff;
  const bodies: Record<string, Uint8Array> = {
    gzip: gzipSync(plain),
    deflate: deflateSync(plain),
    br: brotliCompressSync(plain, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }),
  };
  await using server = codedServer(bodies);
  using transport = wireTransport();
  for (const coding of Object.keys(bodies)) {
    const response = await transport.send(wireRequest(`${server.url}/?c=${coding}`));
    const got = new Uint8Array(await new Response(response.body).arrayBuffer());
    assert.equal(got.byteLength, plain.byteLength, coding);
    assert.ok(got.every((b, i) => b === plain[i]), `${coding}: the bytes differ`);
  }
});

Deno.test("wire decoding: truncated data, and bytes after a brotli stream, are BAD_ENCODING", async () => {
  const plain = "truncated ".repeat(5000);
  const whole: Record<string, Uint8Array> = {
    gzip: gzipSync(plain),
    deflate: deflateSync(plain),
    br: brotliCompressSync(plain),
  };
  const cases: Array<[string, Uint8Array]> = [
    ...Object.entries(whole).map(([c, b]) =>
      [c, b.subarray(0, b.byteLength - 4)] as [
        string,
        Uint8Array,
      ]
    ),
    ["br", new Uint8Array([...whole.br, 1, 2, 3])],
  ];
  for (const [coding, body] of cases) {
    await using server = byteServer(() => encoded(coding, body));
    using transport = wireTransport();
    const response = await transport.send(wireRequest(server.url));
    await assert.rejects(
      text(response),
      (error: NetError) =>
        error.code === "BAD_ENCODING" && error.message.includes(
          coding === "br" ? "brotli" : coding,
        ),
      `${coding}, ${body.byteLength} bytes`,
    );
  }
});

Deno.test("wire decoding: brotli decodes with no permission at all", async () => {
  const script = `
    import { decodeBody } from "./src/core/wire/content_decoding.ts";
    const body = new Uint8Array([${[...brotliCompressSync("no permission needed")].join(",")}]);
    const stream = new ReadableStream({ start(c) { c.enqueue(body); c.close(); } });
    console.log(await new Response(decodeBody(stream, "br")).text());
  `;
  const { code, stdout, stderr } = await runDenoScript(script, ["--no-prompt"]);
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "no permission needed");
});
