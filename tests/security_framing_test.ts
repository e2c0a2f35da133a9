// Message framing (RFC 9112 §6) and content coding on both faces, against raw loopback
// servers writing hand-made bytes: a mis-framed response is never reported as success nor
// cached, and its connection is closed; a corrupt gzip body is a bad-content-encoding error.

import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import http, { Network } from "../mod.ts";
import type { FailureResponse } from "../mod.ts";
import { createHttp, failure, faultServer, rawServer, readHead, serve, write } from "./_helpers.ts";

/** One Network request; resolves with onload's status and text or onerror's event. */
function network(
  method: string,
  url: string,
  cache = false,
): Promise<{ load?: number; text?: string | null; error?: FailureResponse }> {
  return new Promise((resolve) => {
    const xhr = Network.createHTTPClient({
      cache,
      timeout: 10_000,
      onload() {
        resolve({ load: this.status, text: this.responseText });
      },
      onerror(e) {
        resolve({ error: e });
      },
    });
    xhr.open(method, url);
    xhr.send();
  });
}

/** A server answering every request with `head` and `body` (keep-alive); counts requests. */
function framingServer(head: string, body: string) {
  const counts = { requests: 0 };
  const server = rawServer(async (conn) => {
    while (await readHead(conn)) {
      counts.requests++;
      await write(conn, head + body);
    }
  });
  return Object.assign(server, { counts });
}

const chunkedBody = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`;

for (const size of [100, 40_000]) {
  Deno.test(`framing: Content-Length with Transfer-Encoding: chunked is an error on both faces (${size} B)`, async () => {
    const text = "x".repeat(size);
    await using server = framingServer(
      "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\n" +
        "Cache-Control: max-age=600\r\n\r\n",
      chunkedBody(text),
    );
    const cache = http.createHttpResponseCache(undefined, { location: ":memory:" });
    try {
      using req = createHttp();
      for (const url of [`${server.url}/a`, `${server.url}/a`]) {
        const error = await failure(req.request(url), "request()");
        assert.equal(error.code, 2300008, error.message);
      }
      assert.equal(server.counts.requests, 2, "the mis-framed response was not cached");
      const streamed = await failure(req.requestInStream(`${server.url}/b`), "requestInStream()");
      assert.equal(streamed.code, 2300008, streamed.message);
      const outcome = await network("GET", `${server.url}/c`, true);
      assert.equal(outcome.error?.code, -1011, JSON.stringify(outcome));
      assert.equal((await network("GET", `${server.url}/c`, true)).error?.code, -1011);
      assert.equal(server.counts.requests, 5, "the Network face did not cache it either");
    } finally {
      await cache.delete();
    }
  });
}

/** Bad heads for the raw HTTP/1.1 path (TRACE): each must be a bad-response error. */
const BAD_HEADS: Record<string, string> = {
  "Content-Length with chunked": "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
  "conflicting Content-Lengths": "Content-Length: 5\r\nContent-Length: 6\r\n",
  "a list of Content-Lengths": "Content-Length: 5, 6\r\n",
  "a non-numeric Content-Length": "Content-Length: 5x\r\n",
  "a bare CR inside the head": "X-A: 1\rContent-Length: 5\r\n",
  "an obs-fold line": "X-A: 1\r\n  folded\r\nContent-Length: 5\r\n",
};

for (const [name, lines] of Object.entries(BAD_HEADS)) {
  Deno.test(`framing: ${name} is a bad response on the fetch and the raw path, both faces`, async () => {
    await using server = framingServer(`HTTP/1.1 200 OK\r\n${lines}\r\n`, "hello");
    using req = createHttp();
    for (const method of ["GET", "TRACE"] as const) {
      const error = await failure(
        req.request(`${server.url}/x`, { method: http.RequestMethod[method] }),
        `${method} request()`,
      );
      assert.equal(error.code, 2300008, `${method}: ${error.code} ${error.message}`);
      const outcome = await network(method, `${server.url}/y`);
      assert.equal(outcome.error?.code, -1011, `${method}: ${JSON.stringify(outcome)}`);
    }
  });
}

Deno.test("framing: an oversized response head is a bad response on the raw path too", async () => {
  await using server = framingServer(
    `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(1024 * 1024)}\r\nContent-Length: 5\r\n\r\n`,
    "hello",
  );
  using req = createHttp();
  for (const method of ["GET", "TRACE"] as const) {
    const error = await failure(
      req.request(server.url, { method: http.RequestMethod[method] }),
      `${method} request()`,
    );
    assert.equal(error.code, 2300008, `${method}: ${error.code} ${error.message}`);
  }
});

Deno.test("framing: a header value with a long run of spaces is parsed in linear time on both paths", async () => {
  const spaced = `X-A: x${" ".repeat(60_000)}y\r\n`;
  const dense = `X-A: x${"z".repeat(60_000)}y\r\n`;
  await using server = rawServer(async (conn) => {
    const head = await readHead(conn);
    const lines = head.includes("/spaced") ? spaced : dense;
    await write(
      conn,
      `HTTP/1.1 200 OK\r\n${lines}Content-Length: 5\r\nConnection: close\r\n\r\nhello`,
    );
  });
  using req = createHttp();
  for (const method of ["GET", "TRACE"] as const) {
    const time = async (path: string) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        const res = await req.request(`${server.url}${path}`, {
          method: http.RequestMethod[method],
        });
        runs.push(performance.now() - start);
        assert.equal(res.result, "hello");
      }
      return runs.sort((a, b) => a - b)[1]!;
    };
    const dense = await time("/dense");
    const spaced = await time("/spaced");
    assert.ok(spaced < 20 * dense, `${method}: spaced ${spaced} ms against dense ${dense} ms`);
  }
});

Deno.test("framing: a bare LF ends a line on both paths alike (RFC 9112 §2.2)", async () => {
  await using server = faultServer(async (conn) => {
    await write(conn, "HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 5\n\nhello");
  });
  using req = createHttp();
  for (const method of ["GET", "TRACE"] as const) {
    const res = await req.request(server.url, { method: http.RequestMethod[method] });
    assert.equal(res.result, "hello", method);
    assert.equal((res.header as Record<string, string>)["x-a"], "1", method);
  }
});

Deno.test("framing: a well-framed chunked response with trailers still works on the raw path", async () => {
  await using server = faultServer(async (conn) => {
    await write(
      conn,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
    );
  });
  using req = createHttp();
  const res = await req.request(server.url, { method: http.RequestMethod.TRACE });
  assert.equal(res.result, "hello");
});

Deno.test("content coding: a corrupt gzip body is a bad-content-encoding error on both faces", async () => {
  const good = gzipSync(new TextEncoder().encode("hello world ".repeat(5000)));
  const bad = good.slice();
  for (let i = 20; i < 200; i++) bad[i]! ^= 0x55; // the deflate data, not the header
  await using server = serve(() => new Response(bad, { headers: { "content-encoding": "gzip" } }));
  using req = createHttp();
  const error = await failure(req.request(server.url), "request()");
  assert.equal(error.code, 2300061, error.message);
  const streamed = await failure(req.requestInStream(server.url), "requestInStream()");
  assert.equal(streamed.code, 2300061, streamed.message);
  const outcome = await network("GET", server.url);
  assert.equal(outcome.error?.code, -1016, JSON.stringify(outcome));
});
