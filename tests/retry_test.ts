// Retries, opt-in on both faces (`retry`, an extension): transient failures only (RFC 9110's
// idempotent methods unless asked), exponential backoff or Retry-After, never once the body has
// reached the caller, bounded by maxTime, cancelled by the caller's signal.

import assert from "node:assert/strict";
import http, { Network } from "../mod.ts";
import type { BusinessError } from "../mod.ts";
import { rawServer, readHead, serve, write } from "./_helpers.ts";

/** Answers 503 (with `retryAfter` when given) `failures` times, then 200 "ok"; counts requests. */
function flakyServer(failures: number, retryAfter?: string) {
  let calls = 0;
  const server = serve(() => {
    calls++;
    if (calls <= failures) {
      return new Response("busy", {
        status: 503,
        headers: retryAfter === undefined ? {} : { "retry-after": retryAfter },
      });
    }
    return new Response("ok");
  });
  return Object.assign(server, { calls: () => calls });
}

Deno.test("retry: 503 twice, then 200; without retry the 503 is the answer", async () => {
  await using server = flakyServer(2);
  using req = http.createHttp();
  const plain = await req.request(server.url);
  assert.equal(plain.responseCode, 503);
  const res = await req.request(server.url, { retry: { retries: 3, delay: 1 } });
  assert.equal(res.responseCode, 200);
  assert.equal(res.result, "ok");
  assert.equal(server.calls(), 3);
});

Deno.test("retry: exhausted retries give the last answer", async () => {
  await using server = flakyServer(10);
  using req = http.createHttp();
  const res = await req.request(server.url, { retry: { retries: 2, delay: 1 } });
  assert.equal(res.responseCode, 503);
  assert.equal(server.calls(), 3);
});

Deno.test("retry: POST only with allMethods", async () => {
  await using server = flakyServer(1);
  using req = http.createHttp();
  const post = await req.request(server.url, { method: "POST", extraData: "x", retry: 3 });
  assert.equal(post.responseCode, 503);
  assert.equal(server.calls(), 1);
  const again = await req.request(server.url, {
    method: "POST",
    extraData: "x",
    retry: { retries: 3, delay: 1, allMethods: true },
  });
  assert.equal(again.responseCode, 200);
});

Deno.test("retry: Retry-After is honoured (a ratio against the backoff)", async () => {
  await using slow = flakyServer(1, "1");
  await using fast = flakyServer(1);
  using req = http.createHttp();
  let start = performance.now();
  assert.equal(
    (await req.request(fast.url, { retry: { retries: 1, delay: 10 } })).responseCode,
    200,
  );
  const backoff = performance.now() - start;
  start = performance.now();
  assert.equal(
    (await req.request(slow.url, { retry: { retries: 1, delay: 10 } })).responseCode,
    200,
  );
  const honoured = performance.now() - start;
  assert.ok(
    honoured > backoff * 5,
    `Retry-After: 1 took ${honoured} ms, the backoff ${backoff} ms`,
  );
});

Deno.test("retry: maxTime stops retries that would start too late", async () => {
  await using server = flakyServer(5, "2"); // each retry would wait 2 s
  using req = http.createHttp();
  const res = await req.request(server.url, { retry: { retries: 5, maxTime: 500 } });
  assert.equal(res.responseCode, 503);
  assert.equal(server.calls(), 1);
});

Deno.test("retry: a connection lost before the head is retried; once the body streamed, never", async () => {
  let calls = 0;
  await using server = rawServer(async (conn) => {
    calls++;
    await readHead(conn);
    if (calls === 1) return conn.close(); // no answer at all: transient
    await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 10\r\nconnection: close\r\n\r\nhalf.");
    conn.close(); // 5 of 10 bytes, then cut
  });
  using req = http.createHttp();
  const chunks: number[] = [];
  req.on("dataReceive", (chunk) => chunks.push(chunk.byteLength));
  const error = await req.requestInStream(server.url, { retry: { retries: 3, delay: 1 } })
    .catch((e: BusinessError) => e) as BusinessError;
  assert.equal(typeof error, "object");
  assert.equal(error.code, 2300018); // the cut body is reported, not retried
  assert.equal(calls, 2); // the empty reply was retried once; the cut stream was not
  assert.ok(chunks.length > 0);
});

Deno.test("retry: a refused connection is retried only with connectionRefused", async () => {
  using req = http.createHttp();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const url = `http://127.0.0.1:${port}/`;
  const error = await req.request(url, { retry: { retries: 2, delay: 1 } })
    .catch((e: BusinessError) => e) as BusinessError;
  assert.equal(error.code, 2300007);
  // With connectionRefused, a server that comes up while retrying answers.
  let server: Deno.HttpServer | null = null;
  const starting = setTimeout(() => {
    server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, () => new Response("up"));
  }, 50);
  try {
    const res = await req.request(url, {
      retry: { retries: 20, delay: 100, fixedDelay: true, connectionRefused: true },
    });
    assert.equal(res.result, "up");
  } finally {
    clearTimeout(starting);
    await (server as Deno.HttpServer | null)?.shutdown();
  }
});

Deno.test("retry: the request's signal cancels a retry wait at once", async () => {
  await using server = flakyServer(5, "30");
  using req = http.createHttp();
  const controller = new AbortController();
  const pending = req.request(server.url, { retry: 3, signal: controller.signal })
    .catch((e: BusinessError) => e);
  while (server.calls() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  controller.abort();
  const error = await pending as BusinessError;
  assert.equal(error.code, 2300023);
  assert.equal(server.calls(), 1);
});

Deno.test("retry: a bad retry value is refused with 401 naming the field", async () => {
  using req = http.createHttp();
  for (const retry of [-1, 1.5, "3", { delay: 5 }, { retries: 2, allMethods: "yes" }]) {
    const error = await req.request("http://127.0.0.1:1/", { retry: retry as number })
      .catch((e: BusinessError) => e) as BusinessError;
    assert.equal(error.code, 401, JSON.stringify(retry));
    assert.match(error.message, /'retry/);
  }
});

Deno.test("retry: the Network face retries with its retry property", async () => {
  await using server = flakyServer(2, "0");
  const done = Promise.withResolvers<number>();
  const xhr = Network.createHTTPClient({
    retry: 3,
    onload() {
      done.resolve(this.status);
    },
    onerror(e) {
      done.resolve(e.code);
    },
  });
  xhr.open("GET", server.url);
  await xhr.send();
  assert.equal(await done.promise, 200);
  assert.equal(server.calls(), 3);
});
