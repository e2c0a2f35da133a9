// The OpenHarmony face against real loopback servers: call forms and every option of
// HttpRequestOptions, checked from both ends (what the server received, what request() returned).

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { useSocketByDefault } from "../src/core/router.ts";
import {
  createHttp,
  faultServer,
  HTTPBIN,
  rawServer,
  readHead,
  serve,
  startHttpbin,
  testWith,
  write,
} from "./_helpers.ts";

const MiB = 1024 * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An HttpRequest destroyed by `using`. */

/** What a recording server saw of one request. */
interface Seen {
  method: string;
  /** Path and query as received. */
  target: string;
  headers: Headers;
  body: Uint8Array;
}

/** A server that records every request and answers with `respond` (default: 200 "ok"). */
function recorder(respond?: (request: Request, seen: Seen) => Response | Promise<Response>) {
  const seen: Seen[] = [];
  const server = serve(async (request) => {
    const url = new URL(request.url);
    const entry: Seen = {
      method: request.method,
      target: url.pathname + url.search,
      headers: request.headers,
      body: new Uint8Array(await request.arrayBuffer()),
    };
    seen.push(entry);
    return respond ? await respond(request, entry) : new Response("ok");
  });
  return Object.assign(server, { seen });
}

/** The BusinessError a promise rejects with (fails if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  return await promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)?.slice(0, 200)}`),
    (error) => error,
  );
}

function bytesOf(result: unknown): Uint8Array {
  assert.ok(result instanceof ArrayBuffer, `expected an ArrayBuffer, got ${typeof result}`);
  return new Uint8Array(result);
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Call forms and reuse

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  httpbin: testWith(HTTPBIN),
};

Deno.test("request: callback, options+callback and promise forms", async () => {
  await using server = recorder((r) => new Response(`${r.method} ${new URL(r.url).pathname}`));
  using req = createHttp();

  const viaCallback = await new Promise<http.HttpResponse>((resolve, reject) =>
    req.request(`${server.url}/one`, (err, data) => err ? reject(err) : resolve(data))
  );
  assert.equal(viaCallback.responseCode, 200);
  assert.equal(viaCallback.result, "GET /one");

  const viaOptionsCallback = await new Promise<http.HttpResponse>((resolve, reject) =>
    req.request(
      `${server.url}/two`,
      { method: http.RequestMethod.POST, extraData: "x" },
      (err, data) => err ? reject(err) : resolve(data),
    )
  );
  assert.equal(viaOptionsCallback.result, "POST /two");

  const returned = req.request(`${server.url}/three`, { method: http.RequestMethod.PUT });
  assert.ok(returned instanceof Promise);
  assert.equal((await returned).result, "PUT /three");

  // Only the promise form returns something.
  let settled!: () => void;
  const done = new Promise<void>((resolve) => settled = resolve);
  assert.equal(req.request(`${server.url}/four`, () => settled()), undefined);
  await done;
  assert.deepEqual(server.seen.map((s) => s.target), ["/one", "/two", "/three", "/four"]);
});

Deno.test("request: a failure reaches the callback as (err, undefined)", async () => {
  using req = createHttp();
  const [err, data] = await new Promise<[unknown, unknown]>((resolve) =>
    req.request("", (e, d) => resolve([e, d]))
  );
  assert.equal((err as { code: number }).code, 2300003);
  assert.equal(data, undefined);
});

Deno.test("requestInStream: callback, options+callback and promise forms", async () => {
  await using server = recorder((r) => new Response(`${r.method}`, { status: 201 }));
  using req = createHttp();

  const viaCallback = await new Promise<number>((resolve, reject) =>
    req.requestInStream(`${server.url}/a`, (err, code) => err ? reject(err) : resolve(code))
  );
  assert.equal(viaCallback, 201);

  const viaOptionsCallback = await new Promise<number>((resolve, reject) =>
    req.requestInStream(
      `${server.url}/b`,
      { method: http.RequestMethod.POST, extraData: { a: 1 } },
      (err, code) => err ? reject(err) : resolve(code),
    )
  );
  assert.equal(viaOptionsCallback, 201);

  const viaPromise = await req.requestInStream(`${server.url}/c`, {
    method: http.RequestMethod.DELETE,
  });
  assert.equal(viaPromise, 201);
  assert.deepEqual(server.seen.map((s) => `${s.method} ${s.target}`), [
    "GET /a",
    "POST /b",
    "DELETE /c",
  ]);
});

Deno.test("one HttpRequest runs sequential and concurrent requests", async () => {
  await using server = recorder(async (r) => {
    const n = new URL(r.url).searchParams.get("n");
    await delay(20);
    return new Response(`reply ${n}`);
  });
  using req = createHttp();
  for (let n = 0; n < 3; n++) {
    assert.equal((await req.request(`${server.url}/?n=${n}`)).result, `reply ${n}`);
  }
  const results = await Promise.all(
    Array.from({ length: 8 }, (_, n) => req.request(`${server.url}/?n=c${n}`)),
  );
  assert.deepEqual(
    results.map((r) => r.result),
    Array.from({ length: 8 }, (_, n) => `reply c${n}`),
  );
  const streamed = await Promise.all([
    req.requestInStream(`${server.url}/?n=s1`),
    req.request(`${server.url}/?n=s2`),
    req.requestInStream(`${server.url}/?n=s3`),
  ]);
  assert.equal(streamed[0], 200);
  assert.equal(streamed[1].result, "reply s2");
  assert.equal(streamed[2], 200);
  assert.equal(server.seen.length, 14);
});

// ---------------------------------------------------------------------------------------------
// method

Deno.test("method: OPTIONS GET HEAD POST PUT DELETE reach the server verbatim", async () => {
  await using server = recorder();
  using req = createHttp();
  const methods = [
    http.RequestMethod.OPTIONS,
    http.RequestMethod.GET,
    http.RequestMethod.HEAD,
    http.RequestMethod.POST,
    http.RequestMethod.PUT,
    http.RequestMethod.DELETE,
  ];
  for (const method of methods) {
    const res = await req.request(`${server.url}/m`, { method });
    assert.equal(res.responseCode, 200, method);
    assert.equal(res.result, method === "HEAD" ? "" : "ok", method);
  }
  assert.deepEqual(server.seen.map((s) => s.method), methods);
});

// Deno's fetch refuses TRACE and CONNECT; these need the raw HTTP/1.1 transport.
Deno.test({
  name: "method: TRACE reaches the server verbatim",
  async fn() {
    await using server = rawServer(async (conn) => {
      const head = await readHead(conn);
      await write(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${head.length}\r\n\r\n${head}`);
    });
    using req = createHttp();
    const res = await req.request(`${server.url}/t`, { method: http.RequestMethod.TRACE });
    assert.equal(res.responseCode, 200);
    assert.match(res.result as string, /^TRACE \/t HTTP\/1\.1\r\n/);
  },
});

Deno.test({
  name: "method: CONNECT reaches the server verbatim",
  async fn() {
    // A 2xx answer to CONNECT opens a tunnel and has no body (RFC 9110 §9.3.6): the server
    // records what it received instead of echoing it.
    const heads: string[] = [];
    await using server = rawServer(async (conn) => {
      heads.push(await readHead(conn));
      await write(conn, "HTTP/1.1 200 Connection Established\r\n\r\n");
    });
    using req = createHttp();
    const res = await req.request(`${server.url}/c`, { method: http.RequestMethod.CONNECT });
    assert.equal(res.responseCode, 200);
    assert.equal(heads.length, 1);
    assert.match(heads[0]!, /^CONNECT \S+ HTTP\/1\.1\r\n/);
  },
});

Deno.test("method: PATCH and custom token methods are sent as given", async () => {
  await using server = recorder();
  using req = createHttp();
  const patch = await req.request(`${server.url}/p`, { method: "PATCH", extraData: "delta" });
  assert.equal(patch.responseCode, 200);
  for (const method of ["PROPFIND", "FOO-BAR", "purge"]) {
    assert.equal((await req.request(`${server.url}/x`, { method })).responseCode, 200);
  }
  assert.deepEqual(server.seen.map((s) => s.method), ["PATCH", "PROPFIND", "FOO-BAR", "purge"]);
  assert.equal(decoder.decode(server.seen[0]!.body), "delta");
  assert.equal(server.seen[0]!.headers.get("content-length"), "5");
});

// ---------------------------------------------------------------------------------------------
// extraData

Deno.test("extraData: a GET object becomes a percent-encoded query", async () => {
  await using server = recorder();
  using req = createHttp();
  await req.request(`${server.url}/q`, {
    extraData: {
      n: 42,
      f: 1.5,
      t: true,
      no: false,
      s: "a b!'()*~-._",
      u: "ü&=/?#+",
      "k y": "v",
    },
  });
  assert.equal(
    server.seen[0]!.target,
    "/q?n=42&f=1.5&t=true&no=false&s=a%20b%21%27%28%29%2A~-._&u=%C3%BC%26%3D%2F%3F%23%2B&k%20y=v",
  );
  assert.equal(server.seen[0]!.body.byteLength, 0);
  assert.equal(server.seen[0]!.headers.get("content-type"), null);
});

Deno.test("extraData: arrays become repeated keys", async () => {
  await using server = recorder();
  using req = createHttp();
  await req.request(`${server.url}/q`, { extraData: { a: [1, "x y", true], b: "2" } });
  assert.equal(server.seen[0]!.target, "/q?a=1&a=x%20y&a=true&b=2");
});

Deno.test("extraData: a GET string is appended raw; an existing query is kept; fragments are dropped", async () => {
  await using server = recorder();
  using req = createHttp();
  await req.request(`${server.url}/raw`, { extraData: "q=a+b&r=%41&t=~" });
  await req.request(`${server.url}/keep?z=0`, { extraData: { a: 1 } });
  await req.request(`${server.url}/keep?z=0`, { extraData: "b=2" });
  await req.request(`${server.url}/frag#top`, { extraData: { a: 1 } });
  await req.request(`${server.url}/both?z=0#top`, { extraData: { a: "1 2" } });
  await req.request(`${server.url}/empty?z=0`, { extraData: {} });
  assert.deepEqual(server.seen.map((s) => s.target), [
    "/raw?q=a+b&r=%41&t=~",
    "/keep?z=0&a=1",
    "/keep?z=0&b=2",
    "/frag?a=1",
    "/both?z=0&a=1%202",
    "/empty?z=0",
  ]);
});

Deno.test("extraData: HEAD and OPTIONS also put it in the query and send no body", async () => {
  await using server = recorder();
  using req = createHttp();
  for (const method of [http.RequestMethod.HEAD, http.RequestMethod.OPTIONS]) {
    await req.request(`${server.url}/h`, { method, extraData: { a: 1, b: "c d" } });
  }
  for (const seen of server.seen) {
    assert.equal(seen.target, "/h?a=1&b=c%20d");
    assert.equal(seen.body.byteLength, 0);
    assert.equal(seen.headers.get("content-type"), null);
  }
});

Deno.test("extraData: body methods send strings, objects, ArrayBuffers and Uint8Arrays with a Content-Length", async () => {
  await using server = recorder();
  using req = createHttp();
  const view = new Uint8Array([9, 9, 1, 2, 3, 250, 9]).subarray(2, 6);
  const cases: Array<[string, unknown, Uint8Array]> = [
    ["string", "héllo ✓", encoder.encode("héllo ✓")],
    [
      "object",
      { a: 1, b: [true, null], s: "é" },
      encoder.encode('{"a":1,"b":[true,null],"s":"é"}'),
    ],
    ["array", [1, "two"], encoder.encode('[1,"two"]')],
    [
      "ArrayBuffer",
      new Uint8Array([0, 1, 2, 255, 128]).buffer,
      new Uint8Array([0, 1, 2, 255, 128]),
    ],
    ["Uint8Array", view, new Uint8Array([1, 2, 3, 250])],
  ];
  const methods = ["POST", "PUT", "DELETE", "PATCH"];
  for (const method of methods) {
    for (const [, extraData] of cases) {
      const res = await req.request(`${server.url}/b?k=v`, {
        method,
        extraData: extraData as string,
      });
      assert.equal(res.responseCode, 200);
    }
  }
  assert.equal(server.seen.length, methods.length * cases.length);
  server.seen.forEach((seen, i) => {
    const method = methods[Math.floor(i / cases.length)]!;
    const [kind, , expected] = cases[i % cases.length]!;
    const what = `${method} ${kind}`;
    assert.equal(seen.method, method, what);
    assert.equal(seen.target, "/b?k=v", what);
    assert.deepEqual(seen.body, expected, what);
    assert.equal(seen.headers.get("content-length"), String(expected.byteLength), what);
    assert.equal(seen.headers.get("transfer-encoding"), null, what);
  });
});

test.httpbin("extraData: httpbin's /post and /put echo every body kind", async (t) => {
  await using httpbin = await startHttpbin();
  if (!httpbin) return;
  using req = createHttp();
  const echo = async (method: string, extraData: unknown) => {
    const res = await req.request(`${httpbin.url}/${method.toLowerCase()}`, {
      method,
      extraData: extraData as string,
      expectDataType: http.HttpDataType.OBJECT,
    });
    assert.equal(res.responseCode, 200);
    return res.result as {
      data: string;
      json: unknown;
      headers: Record<string, string>;
    };
  };
  for (const method of ["POST", "PUT"]) {
    await t.step(`${method} string`, async () => {
      const body = await echo(method, "MineMine");
      assert.equal(body.data, "MineMine");
      assert.equal(body.headers["Content-Length"], "8");
      assert.equal(body.headers["Content-Type"], "application/json");
    });
    await t.step(`${method} object`, async () => {
      const body = await echo(method, { name: "x y", list: [1, 2], ok: true });
      assert.deepEqual(body.json, { name: "x y", list: [1, 2], ok: true });
    });
    await t.step(`${method} ArrayBuffer and Uint8Array`, async () => {
      const bytes = encoder.encode("raw bytes");
      const fromBuffer = await echo(method, bytes.slice().buffer);
      assert.equal(fromBuffer.data, "raw bytes");
      assert.equal(fromBuffer.headers["Content-Length"], "9");
      const fromView = await echo(method, bytes);
      assert.equal(fromView.data, "raw bytes");
    });
  }
});

// ---------------------------------------------------------------------------------------------
// header

Deno.test("header: names are case-insensitive, values stringified", async () => {
  await using server = recorder(() =>
    new Response("ok", { headers: { "X-Response-Thing": "v", "X-UPPER": "W" } })
  );
  using req = createHttp();
  const res = await req.request(server.url, {
    header: {
      "X-Mixed-Case": "v",
      "X-Num": 42,
      "X-Bool": false,
      "X-True": true,
      "X-Dup": "first",
      "x-dup": "second",
    },
  });
  const headers = server.seen[0]!.headers;
  assert.equal(headers.get("x-mixed-case"), "v");
  assert.equal(headers.get("x-num"), "42");
  assert.equal(headers.get("x-bool"), "false");
  assert.equal(headers.get("x-true"), "true");
  assert.equal(headers.get("x-dup"), "second");
  assert.equal(res.header["x-response-thing"], "v");
  assert.equal(res.header["x-upper"], "W");
  assert.equal(res.header["X-Response-Thing"], undefined);
});

Deno.test("header: a body gets content-type application/json unless the user sets one; GET gets none", async () => {
  await using server = recorder();
  using req = createHttp();
  await req.request(server.url, { method: "POST", extraData: "x" });
  await req.request(server.url, { method: "PUT", extraData: { a: 1 }, header: {} });
  await req.request(server.url, {
    method: "POST",
    extraData: "x",
    header: { "Content-Type": "text/plain" },
  });
  await req.request(server.url, {
    method: "PATCH",
    extraData: "x",
    header: { "CONTENT-TYPE": "application/xml" },
  });
  await req.request(server.url);
  await req.request(server.url, { header: { "x-a": "1" }, extraData: { a: 1 } });
  await req.request(server.url, { method: "POST" });
  assert.deepEqual(server.seen.map((s) => s.headers.get("content-type")), [
    "application/json",
    "application/json",
    "text/plain",
    "application/xml",
    null,
    null,
    null,
  ]);
});

// ---------------------------------------------------------------------------------------------
// expectDataType and result

function typedServer() {
  return serve((request) => {
    const path = new URL(request.url).pathname;
    const bytes = new Uint8Array([0, 1, 2, 200, 255]);
    switch (path) {
      case "/json":
        return Response.json({ a: 1, s: "é" });
      case "/bad-json":
        return new Response("{not json", { headers: { "content-type": "application/json" } });
      case "/octet":
        return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
      case "/png":
        return new Response(bytes, { headers: { "content-type": "image/png" } });
      case "/svg":
        return new Response("<svg/>", { headers: { "content-type": "image/svg+xml" } });
      case "/none":
        return new Response(encoder.encode("no type"));
      case "/html":
        return new Response("<p>é</p>", {
          headers: { "content-type": "text/html; charset=utf-8" },
        });
      default:
        return new Response("plain text");
    }
  });
}

Deno.test("expectDataType: STRING, OBJECT and ARRAY_BUFFER", async () => {
  await using server = typedServer();
  using req = createHttp();
  const asString = await req.request(`${server.url}/json`, {
    expectDataType: http.HttpDataType.STRING,
  });
  assert.equal(asString.result, '{"a":1,"s":"é"}');
  assert.equal(asString.resultType, http.HttpDataType.STRING);

  const binaryAsString = await req.request(`${server.url}/svg`, {
    expectDataType: http.HttpDataType.STRING,
  });
  assert.equal(binaryAsString.result, "<svg/>");
  assert.equal(binaryAsString.resultType, 0);

  const asObject = await req.request(`${server.url}/json`, {
    expectDataType: http.HttpDataType.OBJECT,
  });
  assert.deepEqual(asObject.result, { a: 1, s: "é" });
  assert.equal(asObject.resultType, http.HttpDataType.OBJECT);

  const asBuffer = await req.request(`${server.url}/json`, {
    expectDataType: http.HttpDataType.ARRAY_BUFFER,
  });
  assert.deepEqual(bytesOf(asBuffer.result), encoder.encode('{"a":1,"s":"é"}'));
  assert.equal(asBuffer.resultType, http.HttpDataType.ARRAY_BUFFER);
});

Deno.test("expectDataType absent: octet-stream and image/* give an ArrayBuffer, the rest a string", async () => {
  await using server = typedServer();
  using req = createHttp();
  for (const path of ["/octet", "/png", "/svg"]) {
    const res = await req.request(`${server.url}${path}`);
    assert.equal(res.resultType, http.HttpDataType.ARRAY_BUFFER, path);
    assert.ok(res.result instanceof ArrayBuffer, path);
  }
  assert.deepEqual(
    bytesOf((await req.request(`${server.url}/octet`)).result),
    new Uint8Array([0, 1, 2, 200, 255]),
  );
  const expected: Record<string, string> = {
    "/json": '{"a":1,"s":"é"}',
    "/text": "plain text",
    "/html": "<p>é</p>",
    "/none": "no type",
  };
  for (const [path, text] of Object.entries(expected)) {
    const res = await req.request(`${server.url}${path}`);
    assert.equal(res.resultType, http.HttpDataType.STRING, path);
    assert.equal(res.result, text, path);
  }
});

Deno.test("expectDataType OBJECT with invalid JSON gives the string, resultType STRING", async () => {
  await using server = typedServer();
  using req = createHttp();
  const res = await req.request(`${server.url}/bad-json`, {
    expectDataType: http.HttpDataType.OBJECT,
  });
  assert.equal(res.result, "{not json");
  assert.equal(res.resultType, http.HttpDataType.STRING);
});

Deno.test("HEAD gives an empty string", async () => {
  await using server = typedServer();
  using req = createHttp();
  const res = await req.request(`${server.url}/text`, { method: http.RequestMethod.HEAD });
  assert.equal(res.responseCode, 200);
  assert.equal(res.result, "");
  assert.equal(res.resultType, http.HttpDataType.STRING);
  assert.equal(res.header["content-length"], "10");
});

// ---------------------------------------------------------------------------------------------
// responseCode, header, cookies

Deno.test("responseCode: 404 and 500 resolve with the status and body", async () => {
  await using server = serve((request) => {
    const status = Number(new URL(request.url).pathname.slice(1));
    return new Response(`status ${status}`, { status });
  });
  using req = createHttp();
  for (const status of [404, 500, 503]) {
    const res = await req.request(`${server.url}/${status}`);
    assert.equal(res.responseCode, status);
    assert.equal(res.result, `status ${status}`);
  }
  const [err, data] = await new Promise<[unknown, http.HttpResponse]>((resolve) =>
    req.request(`${server.url}/404`, (e, d) => resolve([e, d]))
  );
  assert.equal(err, undefined);
  assert.equal(data.responseCode, http.ResponseCode.NOT_FOUND);
});

Deno.test("response header: lower-case names, set-cookie as an array", async () => {
  await using server = serve(() => {
    const headers = new Headers({ "X-Upper-Case": "Value", "Content-Type": "text/plain" });
    headers.append("Set-Cookie", "a=1");
    headers.append("Set-Cookie", "b=2; Path=/; HttpOnly");
    return new Response("ok", { headers });
  });
  using req = createHttp();
  const res = await req.request(server.url);
  for (const name of Object.keys(res.header)) assert.equal(name, name.toLowerCase());
  assert.equal(res.header["x-upper-case"], "Value");
  assert.equal(res.header["content-type"], "text/plain");
  assert.deepEqual(res.header["set-cookie"], ["a=1", "b=2; Path=/; HttpOnly"]);

  const single = await req.request(`${server.url}/`, { method: http.RequestMethod.HEAD });
  assert.ok(Array.isArray(single.header["set-cookie"]));
});

Deno.test("cookies: Netscape lines for cookies set along a redirect chain", async () => {
  await using server = recorder((request) => {
    switch (new URL(request.url).pathname) {
      case "/start":
        return new Response(null, {
          status: 302,
          headers: { location: "/mid", "set-cookie": "a=1; Path=/" },
        });
      case "/mid":
        return new Response(null, {
          status: 302,
          headers: { location: "/end", "set-cookie": "b=2; Path=/; HttpOnly; Max-Age=3600" },
        });
      default:
        return new Response("end");
    }
  });
  using req = createHttp();
  const before = Math.floor(Date.now() / 1000);
  const res = await req.request(`${server.url}/start`);
  assert.equal(res.responseCode, 200);
  assert.deepEqual(server.seen.map((s) => s.headers.get("cookie")), [null, "a=1", "a=1; b=2"]);

  const lines = res.cookies.split("\r\n");
  assert.equal(lines.length, 2);
  assert.ok(lines.includes("127.0.0.1\tFALSE\t/\tFALSE\t0\ta\t1"), res.cookies);
  const b = lines.find((line) => line.endsWith("\tb\t2"))!.split("\t");
  assert.deepEqual(b.slice(0, 4), ["#HttpOnly_127.0.0.1", "FALSE", "/", "FALSE"]);
  const expires = Number(b[4]);
  assert.ok(expires >= before + 3600 && expires <= before + 3610, `expires ${expires}`);

  // No Set-Cookie at all: an empty string; and cookies do not leak into the next request.
  const none = await req.request(`${server.url}/end`);
  assert.equal(none.cookies, "");
  assert.equal(server.seen.at(-1)!.headers.get("cookie"), null);
});

// ---------------------------------------------------------------------------------------------
// Timeouts and limits

Deno.test("readTimeout limits the whole transfer, not each read", async () => {
  // The head arrives at once, then a byte every 60 ms: no gap is long, the whole is.
  await using server = rawServer(async (conn) => {
    await readHead(conn);
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n");
    for (let i = 0; i < 20; i++) {
      await delay(60);
      await write(conn, "x");
    }
  });
  using req = createHttp();
  const start = performance.now();
  const err = await rejection(req.request(server.url, { readTimeout: 400 }));
  const elapsed = performance.now() - start;
  // Read by read, it would have finished after 1.2 s; the limit cut it at 400 ms.
  assert.equal(err.code, 2300028);
  assert.ok(elapsed >= 350, `elapsed ${elapsed}`);
});

Deno.test("readTimeout: a server that never answers fails with 2300028", async () => {
  await using server = rawServer(async (conn) => {
    await readHead(conn);
    await conn.read(new Uint8Array(1)); // until the client gives up
  });
  using req = createHttp();
  const err = await rejection(req.request(server.url, { readTimeout: 200 }));
  assert.equal(err.code, 2300028);
  assert.equal(err.message.startsWith("Operation timeout"), true);
});

Deno.test("connectTimeout: no TLS handshake in time fails with 2300028; a slow body is fine", async () => {
  await using silent = rawServer(async (conn) => {
    await readHead(conn);
    await conn.read(new Uint8Array(1));
  });
  await using slowBody = rawServer(async (conn) => {
    await readHead(conn);
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nab");
    await delay(400);
    await write(conn, "cd");
  });
  using req = createHttp();
  const start = performance.now();
  // TLS to a server that never answers the handshake: the connection is never up.
  const err = await rejection(
    req.request(silent.url.replace("http:", "https:"), { connectTimeout: 250 }),
  );
  assert.equal(err.code, 2300028);
  const elapsed = performance.now() - start;
  assert.ok(elapsed >= 200, `elapsed ${elapsed}`);

  const res = await req.request(slowBody.url, { connectTimeout: 150 });
  assert.equal(res.result, "abcd");
});

function sizedServer() {
  return serve((request) => {
    const url = new URL(request.url);
    const size = Number(url.searchParams.get("size"));
    if (url.pathname === "/chunked") {
      let left = size;
      return new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            const n = Math.min(left, 256 * 1024);
            controller.enqueue(new Uint8Array(n).fill(7));
            left -= n;
            if (left === 0) controller.close();
          },
        }),
        { headers: { "content-type": "application/octet-stream" } },
      );
    }
    return new Response(new Uint8Array(size).fill(7), {
      headers: { "content-type": "application/octet-stream" },
    });
  });
}

Deno.test("maxLimit: the default is 5 MiB, one byte more fails with 2300023", async () => {
  await using server = sizedServer();
  using req = createHttp();
  const exact = await req.request(`${server.url}/sized?size=${5 * MiB}`);
  assert.equal(bytesOf(exact.result).byteLength, 5 * MiB);
  const exactChunked = await req.request(`${server.url}/chunked?size=${5 * MiB}`);
  assert.equal(bytesOf(exactChunked.result).byteLength, 5 * MiB);

  const over = await rejection(req.request(`${server.url}/sized?size=${5 * MiB + 1}`));
  assert.equal(over.code, 2300023);
  const overChunked = await rejection(req.request(`${server.url}/chunked?size=${5 * MiB + 1}`));
  assert.equal(overChunked.code, 2300023);
});

Deno.test("maxLimit: a custom limit applies, and requestInStream ignores it", async () => {
  await using server = sizedServer();
  using req = createHttp();
  const ok = await req.request(`${server.url}/sized?size=1000`, { maxLimit: 1000 });
  assert.equal(bytesOf(ok.result).byteLength, 1000);
  const over = await rejection(req.request(`${server.url}/sized?size=1001`, { maxLimit: 1000 }));
  assert.equal(over.code, 2300023);
  const big = await req.request(`${server.url}/sized?size=${6 * MiB}`, { maxLimit: 8 * MiB });
  assert.equal(bytesOf(big.result).byteLength, 6 * MiB);

  let streamed = 0;
  req.on("dataReceive", (chunk) => streamed += chunk.byteLength);
  const status = await req.requestInStream(`${server.url}/chunked?size=${5 * MiB + 1}`, {
    maxLimit: 1000,
  });
  assert.equal(status, 200);
  assert.equal(streamed, 5 * MiB + 1);
});

// ---------------------------------------------------------------------------------------------
// resumeFrom / resumeTo

Deno.test("resumeFrom/resumeTo send a Range header", async () => {
  await using server = recorder();
  using req = createHttp();
  await req.request(server.url, { resumeFrom: 10, resumeTo: 20 });
  await req.request(server.url, { resumeFrom: 10 });
  await req.request(server.url, { resumeTo: 20 });
  await req.request(server.url, {});
  assert.deepEqual(server.seen.map((s) => s.headers.get("range")), [
    "bytes=10-20",
    "bytes=10-",
    "bytes=0-20",
    null,
  ]);
});

Deno.test("resumeFrom/resumeTo: a server honouring the range answers 206 with those bytes", async () => {
  const resource = Uint8Array.from({ length: 100 }, (_, i) => i);
  await using server = serve((request) => {
    const match = /^bytes=(\d+)-(\d*)$/.exec(request.headers.get("range") ?? "");
    const headers = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
    if (!match) return new Response(resource, { headers });
    const from = Number(match[1]);
    const to = match[2] ? Math.min(Number(match[2]), 99) : 99;
    return new Response(resource.slice(from, to + 1), {
      status: 206,
      headers: { ...headers, "content-range": `bytes ${from}-${to}/100` },
    });
  });
  using req = createHttp();
  const middle = await req.request(server.url, { resumeFrom: 10, resumeTo: 19 });
  assert.equal(middle.responseCode, http.ResponseCode.PARTIAL);
  assert.equal(middle.header["content-range"], "bytes 10-19/100");
  assert.deepEqual(bytesOf(middle.result), resource.slice(10, 20));

  const tail = await req.request(server.url, { resumeFrom: 90 });
  assert.equal(tail.responseCode, 206);
  assert.deepEqual(bytesOf(tail.result), resource.slice(90));

  const head = await req.request(server.url, { resumeTo: 4 });
  assert.equal(head.responseCode, 206);
  assert.deepEqual(bytesOf(head.result), resource.slice(0, 5));
});

// ---------------------------------------------------------------------------------------------
// multiFormDataList

Deno.test("multiFormDataList: data parts and a 3 MiB file arrive whole with a Content-Length", async () => {
  const file = await Deno.makeTempFile({ suffix: ".bin" });
  try {
    const content = randomBytes(3 * MiB);
    await Deno.writeFile(file, content);
    let received: { total: number; length: string | null; chunked: string | null } | null = null;
    let form: FormData | null = null;
    await using server = serve(async (request) => {
      const body = await request.arrayBuffer();
      received = {
        total: body.byteLength,
        length: request.headers.get("content-length"),
        chunked: request.headers.get("transfer-encoding"),
      };
      form = await new Response(body, {
        headers: { "content-type": request.headers.get("content-type")! },
      }).formData();
      return new Response("stored");
    });
    using req = createHttp();
    const res = await req.request(server.url, {
      method: http.RequestMethod.POST,
      header: { "content-type": "multipart/form-data" },
      multiFormDataList: [
        { name: "text", contentType: "text/plain", data: "hello form" },
        { name: "json", contentType: "application/json", data: { a: 1 } },
        {
          name: "raw",
          contentType: "application/octet-stream",
          data: new Uint8Array([1, 2]).buffer,
        },
        {
          name: "file",
          contentType: "application/octet-stream",
          filePath: file,
          remoteFileName: "upload.bin",
        },
      ],
    });
    assert.equal(res.responseCode, 200);
    assert.equal(res.result, "stored");
    const r = received!;
    assert.equal(r.chunked, null);
    assert.equal(r.length, String(r.total));
    assert.ok(r.total > 3 * MiB);
    const f = form! as FormData;
    assert.equal(f.get("text"), "hello form");
    assert.equal(f.get("json"), '{"a":1}');
    const raw = f.get("raw") as File | string;
    assert.deepEqual(
      typeof raw === "string" ? encoder.encode(raw) : new Uint8Array(await raw.arrayBuffer()),
      new Uint8Array([1, 2]),
    );
    const uploaded = f.get("file") as File;
    assert.ok(uploaded instanceof File);
    assert.equal(uploaded.name, "upload.bin");
    assert.equal(uploaded.type, "application/octet-stream");
    assert.equal(uploaded.size, content.byteLength);
    assert.equal(await sha256(new Uint8Array(await uploaded.arrayBuffer())), await sha256(content));
  } finally {
    await Deno.remove(file);
  }
});

test.httpbin("multiFormDataList: httpbin sees data parts in form and file parts in files", async () => {
  await using httpbin = await startHttpbin();
  if (!httpbin) return;
  const dir = await Deno.makeTempDir();
  try {
    const text = "line of text\n".repeat(3 * MiB / 13);
    const path = `${dir}/notes.txt`;
    await Deno.writeTextFile(path, text);
    using req = createHttp();
    const res = await req.request(`${httpbin.url}/post`, {
      method: http.RequestMethod.POST,
      header: { "Content-Type": "multipart/form-data" },
      expectDataType: http.HttpDataType.OBJECT,
      multiFormDataList: [
        { name: "field", contentType: "text/plain", data: "value 1" },
        { name: "named", contentType: "text/plain", data: "in memory", remoteFileName: "mem.txt" },
        { name: "upload", contentType: "text/plain", filePath: path },
      ],
    });
    assert.equal(res.responseCode, 200);
    const body = res.result as {
      form: Record<string, string>;
      files: Record<string, string>;
      headers: Record<string, string>;
    };
    assert.deepEqual(body.form, { field: "value 1" });
    assert.deepEqual(Object.keys(body.files).sort(), ["named", "upload"]);
    assert.equal(body.files.named, "in memory");
    // A file part is named after the file, as libcurl's curl_mime_filedata does.
    assert.equal(body.files.upload?.length, text.length);
    assert.ok(body.files.upload === text, "the uploaded file differs");
    assert.match(body.headers["Content-Type"]!, /^multipart\/form-data; boundary=/);
    assert.ok(Number(body.headers["Content-Length"]) > text.length);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

// ---------------------------------------------------------------------------------------------
// usingProtocol and priority

Deno.test("usingProtocol: HTTP1_1 and HTTP3 (falls back) work; HTTP2 speaks h2c with prior knowledge", async () => {
  // Deno.serve answers both HTTP/1.1 and h2c prior knowledge on plain TCP. An HTTP/2
  // request carries no Host header (the authority is a pseudo-header).
  await using server = recorder((r) => new Response(r.headers.get("host") ?? "no host"));
  using req = createHttp();
  const h1 = await req.request(server.url, { usingProtocol: http.HttpProtocol.HTTP1_1 });
  assert.equal(h1.result, server.url.slice("http://".length));
  const h2 = await req.request(server.url, { usingProtocol: http.HttpProtocol.HTTP2 });
  assert.equal(h2.responseCode, 200);
  assert.equal(h2.result, "no host");
  const h3 = await req.request(server.url, { usingProtocol: http.HttpProtocol.HTTP3 });
  assert.equal(h3.responseCode, 200);
  const post = await req.request(server.url, {
    usingProtocol: http.HttpProtocol.HTTP2,
    method: "POST",
    extraData: "over h2",
  });
  assert.equal(post.responseCode, 200);
  assert.equal(decoder.decode(server.seen.at(-1)!.body), "over h2");
});

Deno.test("usingProtocol: what goes on the wire", async () => {
  const firstBytes: string[] = [];
  await using server = rawServer(async (conn) => {
    const buffer = new Uint8Array(24);
    const n = await conn.read(buffer);
    firstBytes.push(decoder.decode(buffer.subarray(0, n ?? 0)));
  });
  using req = createHttp();
  await req.request(server.url, { usingProtocol: http.HttpProtocol.HTTP1_1 }).catch(() => {});
  await req.request(server.url, { usingProtocol: http.HttpProtocol.HTTP2 }).catch(() => {});
  assert.equal(firstBytes.length, 2);
  assert.match(firstBytes[0]!, /^GET \/ HTTP\/1\.1\r\n/);
  assert.equal(firstBytes[1], "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
});

Deno.test("priority: every value from 1 to 1000 is accepted", async () => {
  await using server = recorder();
  using req = createHttp();
  for (const priority of [1, 2, 500, 999, 1000]) {
    assert.equal((await req.request(server.url, { priority })).responseCode, 200);
  }
});

// ---------------------------------------------------------------------------------------------
// Redirects

function redirector() {
  return recorder((request) => {
    const url = new URL(request.url);
    const match = /^\/r\/(\d+)$/.exec(url.pathname);
    if (match) {
      return new Response(null, {
        status: Number(match[1]),
        headers: { location: url.searchParams.get("to") ?? "/target" },
      });
    }
    return new Response("target");
  });
}

Deno.test("redirects: 301, 302 and 303 turn a POST into a GET without the body", async () => {
  await using server = redirector();
  using req = createHttp();
  for (const status of [301, 302, 303]) {
    const res = await req.request(`${server.url}/r/${status}`, {
      method: "POST",
      extraData: "payload",
    });
    assert.equal(res.responseCode, 200);
    assert.equal(res.result, "target");
    const [hop, target] = server.seen.splice(0, 2);
    assert.equal(hop!.method, "POST");
    assert.equal(decoder.decode(hop!.body), "payload");
    assert.equal(target!.method, "GET", `after ${status}`);
    assert.equal(target!.target, "/target");
    assert.equal(target!.body.byteLength, 0);
    assert.equal(target!.headers.get("content-type"), null);
    assert.equal(target!.headers.get("content-length"), null);
  }
});

Deno.test("redirects: 307 and 308 keep the method and re-send the body", async () => {
  await using server = redirector();
  using req = createHttp();
  for (const status of [307, 308]) {
    for (const method of ["POST", "PUT"]) {
      const res = await req.request(`${server.url}/r/${status}`, { method, extraData: "payload" });
      assert.equal(res.responseCode, 200);
      const [, target] = server.seen.splice(0, 2);
      assert.equal(target!.method, method, `${method} after ${status}`);
      assert.equal(decoder.decode(target!.body), "payload");
      assert.equal(target!.headers.get("content-length"), "7");
      assert.equal(target!.headers.get("content-type"), "application/json");
    }
  }
});

Deno.test("redirects: a 307 re-sends a streamed multipart file body", async () => {
  const file = await Deno.makeTempFile();
  try {
    const content = randomBytes(256 * 1024);
    await Deno.writeFile(file, content);
    await using server = redirector();
    using req = createHttp();
    const res = await req.request(`${server.url}/r/307`, {
      method: "POST",
      header: { "content-type": "multipart/form-data" },
      multiFormDataList: [{ name: "f", contentType: "application/x-test", filePath: file }],
    });
    assert.equal(res.responseCode, 200);
    const [hop, target] = server.seen;
    assert.equal(target!.method, "POST");
    assert.deepEqual(target!.body, hop!.body);
    assert.equal(target!.headers.get("content-length"), String(hop!.body.byteLength));
    const form = await new Response(target!.body as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": target!.headers.get("content-type")! },
    }).formData();
    const part = form.get("f") as File;
    assert.ok(part instanceof File);
    assert.equal(part.name, file.split("/").pop());
    assert.equal(await sha256(new Uint8Array(await part.arrayBuffer())), await sha256(content));
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("redirects: a cross-origin hop drops Authorization and Cookie, a same-origin one keeps them", async () => {
  await using other = recorder();
  await using server = recorder((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/away") {
      return new Response(null, {
        status: 302,
        headers: {
          location: `http://localhost:${other.addr.port}/landed`,
          "set-cookie": "fromA=1; Path=/",
        },
      });
    }
    if (url.pathname === "/near") {
      return new Response(null, { status: 302, headers: { location: "/landed" } });
    }
    return new Response("landed");
  });
  using req = createHttp();
  const header = { Authorization: "Bearer secret", Cookie: "session=abc", "X-Keep": "yes" };

  const away = await req.request(`${server.url}/away`, { header });
  assert.equal(away.responseCode, 200);
  const landed = other.seen[0]!;
  assert.equal(landed.headers.get("host"), `localhost:${other.addr.port}`);
  assert.equal(landed.headers.get("authorization"), null);
  assert.equal(landed.headers.get("cookie"), null);
  assert.equal(landed.headers.get("x-keep"), "yes");

  const near = await req.request(`${server.url}/near`, { header });
  assert.equal(near.responseCode, 200);
  const kept = server.seen.at(-1)!;
  assert.equal(kept.target, "/landed");
  assert.equal(kept.headers.get("authorization"), "Bearer secret");
  assert.equal(kept.headers.get("cookie"), "session=abc");
});

// ---------------------------------------------------------------------------------------------
// performanceTiming

const TIMING_FIELDS = [
  "dnsTiming",
  "tcpTiming",
  "tlsTiming",
  "firstSendTiming",
  "firstReceiveTiming",
  "totalFinishTiming",
  "redirectTiming",
  "responseHeaderTiming",
  "responseBodyTiming",
  "totalTiming",
] as const;

Deno.test("performanceTiming: ten numbers in order; no DNS or TLS time for plain http to an IP; no redirect time", async () => {
  await using server = serve(() => new Response("x".repeat(100_000)));
  using req = createHttp();
  const { performanceTiming: t } = await req.request(server.url);
  assert.deepEqual(Object.keys(t).sort(), [...TIMING_FIELDS].sort());
  for (const field of TIMING_FIELDS) {
    assert.equal(typeof t[field], "number", field);
    assert.ok(Number.isFinite(t[field]) && t[field] >= 0, `${field} = ${t[field]}`);
  }
  assert.equal(t.dnsTiming, 0);
  // The TCP phase is measured when the transport sees it (a new connection on the socket path).
  assert.ok(t.tcpTiming <= t.firstSendTiming, JSON.stringify(t));
  assert.equal(t.tlsTiming, 0);
  assert.equal(t.redirectTiming, 0);
  assert.ok(t.firstSendTiming > 0);
  assert.ok(t.firstSendTiming <= t.firstReceiveTiming, JSON.stringify(t));
  assert.ok(t.firstReceiveTiming <= t.responseHeaderTiming, JSON.stringify(t));
  assert.ok(t.responseHeaderTiming <= t.responseBodyTiming, JSON.stringify(t));
  assert.ok(t.responseBodyTiming <= t.totalFinishTiming, JSON.stringify(t));
  assert.ok(t.totalFinishTiming <= t.totalTiming, JSON.stringify(t));
});

Deno.test("performanceTiming: redirectTiming is positive only after a redirect", async () => {
  await using server = redirector();
  using req = createHttp();
  const direct = await req.request(`${server.url}/target`);
  assert.equal(direct.performanceTiming.redirectTiming, 0);
  const redirected = await req.request(`${server.url}/r/302`);
  const t = redirected.performanceTiming;
  assert.ok(t.redirectTiming > 0, JSON.stringify(t));
  assert.ok(t.redirectTiming <= t.firstSendTiming, JSON.stringify(t));
  assert.ok(t.firstSendTiming <= t.firstReceiveTiming, JSON.stringify(t));
  assert.ok(t.totalFinishTiming <= t.totalTiming, JSON.stringify(t));
});

Deno.test("header: repeated fields joined with ', ', every Set-Cookie kept, names lower-case (engine and fetch)", async () => {
  await using server = faultServer(async (conn) => {
    await write(
      conn,
      "HTTP/1.1 200 OK\r\nX-Twice: a\r\nSet-Cookie: s=1\r\nx-twice: b\r\nSet-Cookie: t=2\r\n" +
        "__proto__: p\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok",
    );
  });
  for (const engine of [true, false]) {
    const before = useSocketByDefault(engine);
    try {
      using req = createHttp();
      const res = await req.request(server.url);
      const header = res.header as Record<string, unknown>;
      assert.equal(header["x-twice"], "a, b", `engine: ${engine}`);
      assert.deepEqual(header["set-cookie"], ["s=1", "t=2"]);
      assert.equal(header["__proto__"], "p");
      assert.equal(Object.getPrototypeOf(header), null);
      assert.equal(header["content-length"], "2");
    } finally {
      useSocketByDefault(before);
    }
  }
});
