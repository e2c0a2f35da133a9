// Cancelling on both faces: `using` / `await using` (Symbol.dispose, Symbol.asyncDispose) next to
// destroy() / abort(), and the per-request AbortSignal extension (`signal`).

import assert from "node:assert/strict";
import http from "../mod.ts";
import { Network } from "../mod.ts";
import type { BusinessError, HttpResponse, ResponseHeaders } from "../mod.ts";
import { serve } from "./_helpers.ts";

/** A server whose `/slow` answers only when the test lets it (or the test ends). */
function slowServer() {
  const release = new AbortController();
  const arrived = Promise.withResolvers<void>();
  const server = serve(async (request) => {
    if (new URL(request.url).pathname !== "/slow") return new Response("fast");
    arrived.resolve();
    await new Promise((resolve) => release.signal.addEventListener("abort", resolve));
    return new Response("late");
  });
  return {
    url: server.url,
    arrived: arrived.promise,
    async [Symbol.asyncDispose]() {
      release.abort();
      await server.shutdown();
    },
  };
}

Deno.test("http: `using` destroys the HttpRequest when the block ends", async () => {
  await using server = slowServer();
  let pending: Promise<unknown>;
  let outside: http.HttpRequest;
  {
    using req = http.createHttp();
    outside = req;
    pending = req.request(`${server.url}/slow`).catch((e: BusinessError) => e);
    await server.arrived;
  }
  const error = await pending as BusinessError;
  assert.equal(error.code, 2300023); // cancelled, as destroy() cancels
  const after = await outside.request(`${server.url}/`).catch((e: BusinessError) => e);
  assert.equal((after as BusinessError).code, 2300999); // destroyed: no more requests
});

Deno.test("http: `await using` destroys the HttpRequest too", async () => {
  await using server = slowServer();
  let outside: http.HttpRequest;
  {
    await using req = http.createHttp();
    outside = req;
    assert.equal((await req.request(`${server.url}/`)).result, "fast");
  }
  const after = await outside.request(`${server.url}/`).catch((e: BusinessError) => e);
  assert.equal((after as BusinessError).code, 2300999);
});

Deno.test("http: a request's signal cancels that request only", async () => {
  await using server = slowServer();
  using req = http.createHttp();
  const controller = new AbortController();
  const slow = req.request(`${server.url}/slow`, { signal: controller.signal })
    .catch((e: BusinessError) => e);
  await server.arrived;
  const other = req.request(`${server.url}/`); // same handle, no signal: unaffected
  controller.abort();
  const error = await slow as BusinessError;
  assert.equal(error.code, 2300023);
  assert.match(error.message, /abort/i);
  assert.equal((await other).result, "fast");

  // Already aborted: nothing is sent; requestInStream honours it as well.
  const stream = await req.requestInStream(`${server.url}/`, { signal: AbortSignal.abort() })
    .catch((e: BusinessError) => e);
  assert.equal((stream as BusinessError).code, 2300023);
});

Deno.test("http: a signal that is not an AbortSignal is refused with 401 naming it", async () => {
  using req = http.createHttp();
  const error = await req.request("http://127.0.0.1:1/", {
    signal: "stop" as unknown as AbortSignal,
  }).catch((e: BusinessError) => e) as BusinessError;
  assert.equal(error.code, 401);
  assert.match(error.message, /'signal'/);
});

Deno.test("Network: a signal aborts the send in progress like abort()", async () => {
  await using server = slowServer();
  const controller = new AbortController();
  const calls: string[] = [];
  const xhr = Network.createHTTPClient({
    signal: controller.signal,
    onload: () => calls.push("onload"),
    onerror: () => calls.push("onerror"),
  });
  xhr.open("GET", `${server.url}/slow`);
  const sent = xhr.send();
  await server.arrived;
  controller.abort();
  await sent;
  assert.deepEqual(calls, []); // abort(): neither onload nor onerror
  assert.equal(xhr.readyState, Network.HTTPClient.DONE);

  // While the signal stays aborted, a later send() is aborted at once.
  xhr.open("GET", `${server.url}/`);
  await xhr.send();
  assert.deepEqual(calls, []);
  assert.equal(xhr.readyState, Network.HTTPClient.DONE);
});

Deno.test("Network: `using` aborts the HTTPClient's request when the block ends", async () => {
  await using server = slowServer();
  const calls: string[] = [];
  let sent: Promise<void>;
  {
    using xhr = Network.createHTTPClient({ onload: () => calls.push("onload") });
    xhr.open("GET", `${server.url}/slow`);
    sent = xhr.send();
    await server.arrived;
  }
  await sent;
  assert.deepEqual(calls, []);
});

Deno.test("http: header and result types are precise", async () => {
  await using server = serve(() =>
    Response.json({ id: 7 }, { headers: { "set-cookie": "a=1", "x-id": "7" } })
  );
  using req = http.createHttp();
  let seen: ResponseHeaders | undefined;
  req.on("headersReceive", (header) => {
    seen = header;
  });
  const res: HttpResponse<{ id: number }> = await req.request<{ id: number }>(`${server.url}/`, {
    expectDataType: http.HttpDataType.OBJECT,
  });
  const id: number = res.result.id;
  const type: string = res.header["content-type"];
  const cookies: string[] | undefined = seen?.["set-cookie"];
  assert.equal(id, 7);
  assert.equal(type, "application/json");
  assert.deepEqual(cookies, ["a=1"]);
  assert.equal(seen?.["x-id"], "7");
});

Deno.test("http: destroy() after its requests ended cancels nothing of another object's", async () => {
  await using server = slowServer();
  const first = http.createHttp();
  assert.equal((await first.request(`${server.url}/`)).result, "fast");
  // The next object may get the first one's (idle) cancellation machinery.
  using second = http.createHttp();
  const pending = second.request(`${server.url}/slow`);
  await server.arrived;
  first.destroy();
  const settled = await Promise.race([
    pending.then(() => "answered", (e: BusinessError) => `failed ${e.code}`),
    new Promise((resolve) => setTimeout(resolve, 100, "in flight")),
  ]);
  assert.equal(settled, "in flight");
  await server[Symbol.asyncDispose]();
  assert.equal((await pending).result, "late");
});

Deno.test("Network: abort() after a send ended cancels nothing of another client's", async () => {
  await using server = slowServer();
  const done = Promise.withResolvers<void>();
  const first = Network.createHTTPClient({ onload: () => done.resolve() });
  first.open("GET", `${server.url}/`);
  await first.send();
  await done.promise;
  let outcome = "in flight";
  const second = Network.createHTTPClient({
    onload() {
      outcome = this.responseText;
    },
    onerror: (e) => outcome = `error ${e.error}`,
  });
  second.open("GET", `${server.url}/slow`);
  const sent = second.send();
  await server.arrived;
  first.abort();
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(outcome, "in flight");
  await server[Symbol.asyncDispose]();
  await sent;
  assert.equal(outcome, "late");
});
