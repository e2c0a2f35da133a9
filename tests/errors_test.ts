// Every failure the OpenHarmony face reports, each provoked for real on loopback
// and checked through the public API: the promise rejects (never a synchronous
// throw) with a plain `BusinessError` `{ code, message, name }` whose code is
// 401, 201 or 2300000 + the libcurl number, and the callback form receives the
// very same error as its first argument.

import assert from "node:assert/strict";
import net from "node:net";
import http from "../mod.ts";
import type { BusinessError, HttpRequestOptions } from "../mod.ts";
import {
  closedPort,
  faultServer,
  rawServer,
  serve,
  testWith,
  untilClosed,
  write,
} from "./_helpers.ts";
import { certDir, makeCa, OPENSSL } from "./_tls.ts";
import { useSocketByDefault } from "../src/core/router.ts";

type Options = HttpRequestOptions | undefined;

/** Checks the shape of a BusinessError, its code and that its message says what happened. */
function assertBusinessError(error: unknown, code: number, message: RegExp): BusinessError {
  assert.ok(error !== null && typeof error === "object", `not an object: ${String(error)}`);
  const e = error as BusinessError;
  assert.deepEqual(Object.keys(e).sort(), ["code", "message", "name"]);
  assert.equal(e.name, "BusinessError");
  assert.equal(e.code, code, `code ${e.code} (${e.message}), expected ${code}`);
  assert.equal(typeof e.message, "string");
  assert.match(e.message, message);
  return e;
}

/** The rejection of a promise that must reject. */
async function rejection(promise: unknown): Promise<unknown> {
  assert.ok(promise instanceof Promise, "the call must return a promise");
  return await promise.then(
    (value) => assert.fail(`resolved with ${JSON.stringify(value)?.slice(0, 200)}`),
    (error) => error,
  );
}

/** What the callback form delivers: (err, data). */
function viaCallback(
  call: (callback: (err: unknown, data: unknown) => void) => unknown,
): Promise<{ err: unknown; data: unknown }> {
  return new Promise((resolve) => {
    const returned = call((err, data) => resolve({ err, data }));
    assert.equal(returned, undefined, "the callback form returns nothing");
  });
}

/**
 * `request(url, options)` rejects with `code`, and `request(url, options, cb)`
 * hands the same error to `cb` (with no data). `stream` uses `requestInStream`.
 */
async function expectFailure(
  url: unknown,
  options: Options,
  code: number,
  message: RegExp,
  stream = false,
): Promise<BusinessError> {
  const req = http.createHttp();
  try {
    // deno-lint-ignore no-explicit-any
    const r = req as any;
    const call = stream ? r.requestInStream.bind(r) : r.request.bind(r);
    const args = options === undefined ? [url] : [url, options];
    const error = assertBusinessError(await rejection(call(...args)), code, message);
    const { err, data } = await viaCallback((cb) => call(...args, cb));
    // The same error, up to the client's ephemeral port that some messages quote.
    const { code: cbCode, name, message: cbMessage } = assertBusinessError(err, code, message);
    assert.deepEqual(
      { code: cbCode, name, message: cbMessage.replace(/127\.0\.0\.1:\d+/g, "*") },
      { code, name: error.name, message: error.message.replace(/127\.0\.0\.1:\d+/g, "*") },
      "the callback gets the same error",
    );
    assert.equal(data, undefined);
    return error;
  } finally {
    req.destroy();
  }
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  tls: testWith(OPENSSL),
};

Deno.test("refused port rejects with 2300007", async () => {
  const port = closedPort();
  const refused = /^Failed to connect to the server: .*Connection refused/;
  await expectFailure(`http://127.0.0.1:${port}/`, undefined, 2300007, refused);
  await expectFailure(`http://127.0.0.1:${port}/`, undefined, 2300007, refused, true);
  // A port that fetch itself refuses to contact is a connect failure too.
  await expectFailure("http://127.0.0.1:6000/", undefined, 2300007, /port 6000 .*blocked/i);
});

Deno.test("unresolvable host name rejects with 2300006 without a DNS query", async () => {
  // A 64-character label is longer than DNS allows (63), so glibc's resolver
  // refuses it locally (EAI_NONAME) without sending any packet: no test may
  // query the machine's DNS server, which is not on loopback. Checked with
  // strace: the only sockets opened are nscd's Unix socket, nothing to port 53.
  const url = `http://${"a".repeat(64)}.test/`;
  const start = performance.now();
  await expectFailure(url, undefined, 2300006, /^Failed to resolve the host name: .*a{64}\.test/);
  assert.ok(performance.now() - start < 1000, "fails fast, locally");
});

Deno.test("unsupported scheme rejects with 2300001", async () => {
  for (const url of ["ws://127.0.0.1/", "ftp://127.0.0.1/file", "file:///etc/hostname"]) {
    await expectFailure(url, undefined, 2300001, /^Unsupported protocol: '[a-z]+:'/);
  }
});

Deno.test("malformed URL rejects with 2300003", async () => {
  await expectFailure(
    "",
    undefined,
    2300003,
    /^Invalid URL format or missing URL: the URL is empty/,
  );
  await expectFailure("   ", undefined, 2300003, /the URL is empty/);
  for (const url of ["http://", "http://[::1", "http://a b/"]) {
    await expectFailure(url, undefined, 2300003, /is not a valid URL/);
  }
});

test.tls("untrusted (self-signed) certificate rejects with 2300060, on the engine and on fetch", async () => {
  await using dir = await certDir("netstack-tls-");
  if (!dir) return;
  // A self-signed root (CA:TRUE) served as the server certificate: trusted by nothing.
  const self = await makeCa(dir.path, "self", {
    cn: "127.0.0.1",
    san: "IP:127.0.0.1",
    key: "rsa",
    days: 1,
  });
  let served = 0;
  await using server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(self.pem),
    key: await Deno.readTextFile(self.key),
    onListen() {},
    onError: () => new Response("", { status: 500 }),
  }, () => {
    served++;
    return new Response("secret");
  });
  // https goes to the engine by default (node:tls); fetch still carries HTTP/2 and extra CAs.
  for (const engine of [true, false]) {
    const before = useSocketByDefault(engine);
    try {
      await expectFailure(
        `https://127.0.0.1:${server.addr.port}/`,
        undefined,
        2300060,
        /^Invalid SSL peer certificate or SSH remote key: .*(?:certificate|UnknownIssuer)/i,
      );
    } finally {
      useSocketByDefault(before);
    }
  }
  assert.equal(served, 0, "no request got through the failed handshake");
});

Deno.test("readTimeout: a server that never answers rejects with 2300028", async () => {
  await using server = faultServer(untilClosed);
  const start = performance.now();
  await expectFailure(
    server.url,
    { readTimeout: 200 },
    2300028,
    /^Operation timeout: no complete response within 200 ms/,
  );
  assert.ok(performance.now() - start < 1500);
});

Deno.test("readTimeout: headers then a stalled body rejects with 2300028", async () => {
  await using server = faultServer(async (conn) => {
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello");
    await untilClosed(conn);
  });
  const error = /^Operation timeout: no complete response within 200 ms/;
  await expectFailure(server.url, { readTimeout: 200 }, 2300028, error);
  await expectFailure(server.url, { readTimeout: 200 }, 2300028, error, true);
});

Deno.test("connectTimeout: no TLS handshake in time rejects with 2300028", async () => {
  // Accepts TCP and never answers the TLS handshake: the connection is never up.
  await using server = rawServer(untilClosed);
  await expectFailure(
    `https://127.0.0.1:${server.port}/`,
    { connectTimeout: 200 },
    2300028,
    /^Operation timeout: no connection to 127\.0\.0\.1:\d+ within 200 ms/,
  );
});

Deno.test("endless redirects reject with 2300047 after 30", async () => {
  let hits = 0;
  await using server = serve((request) => {
    hits++;
    const n = Number(new URL(request.url).pathname.slice(1)) || 0;
    return new Response(null, { status: 302, headers: { location: `/${n + 1}` } });
  });
  await expectFailure(
    server.url,
    undefined,
    2300047,
    /^The number of redirections reaches the maximum allowed: more than 30 redirects/,
  );
  // Promise form and callback form: the first request plus 30 redirects each.
  assert.equal(hits, 2 * 31);
});

Deno.test("empty reply (closed after reading the request) rejects with 2300052", async () => {
  await using server = faultServer(() => Promise.resolve());
  await expectFailure(
    server.url,
    undefined,
    2300052,
    /^The server returned nothing.*connection closed before message completed/,
  );
});

Deno.test("body shorter than Content-Length rejects with 2300018", async () => {
  const head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello";
  await using server = faultServer((conn) => write(conn, head));
  // A reset after the same 5 bytes reads the same in Deno (see the 56 test below).
  await using resetting = await resetServer(head);
  const error = /^Transferred a partial file: .*error reading a body/;
  await expectFailure(server.url, undefined, 2300018, error);
  await expectFailure(server.url, undefined, 2300018, error, true);
  await expectFailure(resetting.url, undefined, 2300018, error);
});

/**
 * A server that sends `head` and then resets the connection (RST, not FIN):
 * `Deno.Conn.close()` always shuts down cleanly first, but `node:net`'s
 * `resetAndDestroy()` sets SO_LINGER 0, which makes close() send RST.
 */
async function resetServer(
  head: string,
): Promise<{ url: string; [Symbol.asyncDispose](): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", () => socket.write(head, () => socket.resetAndDestroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

Deno.test("connection lost in a chunked body rejects with 2300056", async () => {
  // Deno 2.9 reports a clean close (FIN) and a reset (RST) mid-body identically,
  // as "error reading a body from connection" with no cause, so the library
  // cannot tell them apart: with no declared length it reports 56 (receive
  // failure); with a Content-Length it reports 18 (partial file, above).
  const head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
  await using closing = faultServer((conn) => write(conn, head));
  await using resetting = await resetServer(head);
  const error = /^Failed to receive data from the peer: .*error reading a body/;
  await expectFailure(closing.url, undefined, 2300056, error);
  await expectFailure(closing.url, undefined, 2300056, error, true);
  await expectFailure(resetting.url, undefined, 2300056, error);
  await expectFailure(resetting.url, undefined, 2300056, error, true);
});

Deno.test("a malformed response head rejects with 2300008", async () => {
  const heads = [
    "garbage\r\n\r\n",
    "HTTP/1.1 abc OK\r\n\r\n",
    "HTTP/1.1 200 OK\r\nbad header: x\r\nContent-Length: 0\r\n\r\n",
    // Two different lengths: hyper refuses it ("invalid content-length parsed").
    "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabc",
  ];
  for (const head of heads) {
    await using server = faultServer((conn) => write(conn, head));
    await expectFailure(server.url, undefined, 2300008, /^Invalid server response: .*invalid/);
  }
});

Deno.test("a body that does not decode rejects with 2300061", async () => {
  for (const encoding of ["gzip", "br"]) {
    await using server = faultServer((conn) =>
      write(
        conn,
        `HTTP/1.1 200 OK\r\nContent-Encoding: ${encoding}\r\nContent-Length: 10\r\n\r\n0123456789`,
      )
    );
    const error = /^Invalid HTTP encoding format: .*(?:gzip|brotli)/;
    await expectFailure(server.url, undefined, 2300061, error);
    await expectFailure(server.url, undefined, 2300061, error, true);
  }
});

Deno.test("a body over maxLimit rejects with 2300023; requestInStream is not limited", async () => {
  const big = new Uint8Array(64 * 1024).fill(65);
  await using server = serve((request) => {
    const path = new URL(request.url).pathname;
    if (path === "/declared") return new Response(big); // Content-Length: 65536
    let sent = 0;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (sent >= big.byteLength) return controller.close();
          controller.enqueue(big.subarray(sent, sent + 4096));
          sent += 4096;
        },
      }),
    ); // chunked
  });
  await expectFailure(
    `${server.url}/declared`,
    { maxLimit: 1000 },
    2300023,
    /^Failed to write the received data.*\b65536\b.*\b1000 bytes/,
  );
  await expectFailure(
    `${server.url}/chunked`,
    { maxLimit: 1000 },
    2300023,
    /^Failed to write the received data.*\b1000 bytes/,
  );
  for (const path of ["/declared", "/chunked"]) {
    const req = http.createHttp();
    let received = 0;
    req.on("dataReceive", (chunk) => received += chunk.byteLength);
    assert.equal(await req.requestInStream(`${server.url}${path}`, { maxLimit: 1000 }), 200);
    assert.equal(received, big.byteLength);
    req.destroy();
  }
});

Deno.test("an unreadable multipart file rejects with 2300026 before sending", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response("ok");
  });
  const dir = await Deno.makeTempDir({ prefix: "netstack-mp-" });
  try {
    const missing = `${dir}/missing.bin`;
    await expectFailure(
      server.url,
      {
        method: "POST",
        header: { "content-type": "multipart/form-data" },
        multiFormDataList: [{ name: "file", contentType: "text/plain", filePath: missing }],
      },
      2300026,
      new RegExp(`^Failed to open or read local data.*${missing.replaceAll("/", "\\/")}`),
    );
    // A directory is not a readable file either.
    await expectFailure(
      server.url,
      {
        method: "POST",
        header: { "content-type": "multipart/form-data" },
        multiFormDataList: [{ name: "file", contentType: "text/plain", filePath: dir }],
      },
      2300026,
      /is not a file/,
    );
    assert.equal(hits, 0, "nothing was sent");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("without --allow-net a request rejects with 201", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response("ok");
  });
  const root = new URL("../", import.meta.url);
  const dir = await Deno.makeTempDir({ prefix: "netstack-perm-" });
  try {
    const script = `${dir}/no_net.ts`;
    await Deno.writeTextFile(
      script,
      `import http from ${JSON.stringify(new URL("mod.ts", root).href)};
const req = http.createHttp();
const out = await req.request(${JSON.stringify(server.url)}).then(
  () => ({ code: 0 }),
  (e) => e,
);
req.destroy();
await new Promise<void>((done) =>
  req.request(${JSON.stringify(server.url)}, (err) => {
    console.log(JSON.stringify({ promise: out, callback: err }));
    done();
  })
);
`,
    );
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--no-prompt",
        "--no-check",
        "--config",
        new URL("deno.json", root).pathname,
        `--allow-read=${new URL(".", root).pathname},${dir}`,
        script,
      ],
      // No update check: it would look up the release server's name in DNS.
      env: { DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const { promise, callback } = JSON.parse(text);
    assertBusinessError(promise, 201, /^Permission denied: Requires net access to "127\.0\.0\.1:/);
    // The second request ran after destroy(): that is 2300999, not 201.
    assertBusinessError(callback, 2300999, /destroyed/);
    assert.equal(hits, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("bad arguments reject with 401 naming the field, never throw", async () => {
  const url = "http://127.0.0.1:9/";
  const cases: Array<[unknown[], RegExp]> = [
    [[123], /'url' must be a string, got 123/],
    [[undefined], /'url' must be a string/],
    [[url, "x"], /'options' must be an object, got "x"/],
    [[url, { readTimeout: -1 }], /'readTimeout' must be an integer .*got -1/],
    [[url, { readTimeout: "5" }], /'readTimeout' must be an integer .*got "5"/],
    [[url, { connectTimeout: 1.5 }], /'connectTimeout'/],
    [[url, { maxLimit: -1 }], /'maxLimit' must be an integer from 0/],
    [[url, { priority: "high" }], /'priority' must be a number, got "high"/],
    [[url, { expectDataType: "json" }], /'expectDataType' must be a number, got "json"/],
    [[url, { usingProtocol: 9 }], /'usingProtocol'/],
    [[url, { method: "BAD METHOD" }], /'method' must be an HTTP method name/],
    [[url, { header: { "X-A": "a\r\nb" } }], /'header\.X-A' must not contain CR, LF or NUL/],
    [[url, { header: { "bad name": "x" } }], /'header' has an invalid header name "bad name"/],
    [[url, { extraData: 5, method: "POST" }], /'extraData' must be a string, an object/],
    [[url, { resumeFrom: "1" }], /'resumeFrom' must be a number, got "1"/],
    [[url, { usingCache: "yes" }], /'usingCache' must be a boolean/],
    [[url, { multiFormDataList: "x" }], /'multiFormDataList' must be an array/],
    [[url, {}, "not a function"], /'callback' must be a function/],
  ];
  const req = http.createHttp();
  try {
    // deno-lint-ignore no-explicit-any
    const r = req as any;
    for (const [args, message] of cases) {
      for (const method of ["request", "requestInStream"] as const) {
        let returned: unknown;
        try {
          returned = r[method](...args);
        } catch (error) {
          assert.fail(`${method}(${String(args[0])}, ...) threw synchronously: ${error}`);
        }
        const error = assertBusinessError(await rejection(returned), 401, message);
        if (args.length > 2) continue;
        // The callback form (as the second or third argument) gets the same 401.
        const { err, data } = await viaCallback((cb) => r[method](...args, cb));
        assert.deepEqual(err, error);
        assert.equal(data, undefined);
      }
    }
  } finally {
    req.destroy();
  }
});

Deno.test("a stray 4th argument reaches the callback as 401", async () => {
  const req = http.createHttp();
  try {
    // deno-lint-ignore no-explicit-any
    const r = req as any;
    const { err } = await viaCallback((cb) => r.request("http://127.0.0.1:9/", {}, cb, "extra"));
    assertBusinessError(err, 401, /at most 3 arguments, got 4/);
  } finally {
    req.destroy();
  }
});

Deno.test("a request after destroy() rejects with 2300999", async () => {
  await using server = serve(() => new Response("ok"));
  const req = http.createHttp();
  assert.equal((await req.request(server.url)).result, "ok");
  req.destroy();
  req.destroy(); // twice is harmless
  const message = /^Internal error: the HttpRequest was destroyed/;
  assertBusinessError(await rejection(req.request(server.url)), 2300999, message);
  assertBusinessError(await rejection(req.requestInStream(server.url)), 2300999, message);
  const { err } = await viaCallback((cb) => req.request(server.url, cb));
  assertBusinessError(err, 2300999, message);
});

Deno.test("destroy() during requests rejects them with 2300023; no event fires afterwards", async () => {
  // One connection streams a chunked body and stalls; the others never answer.
  await using streaming = faultServer(async (conn) => {
    await write(
      conn,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nfirst\r\n6\r\nsecond\r\n",
    );
    await untilClosed(conn);
  });
  await using silent = faultServer(untilClosed);

  const req = http.createHttp();
  let destroyed = false;
  const seen: string[] = [];
  const late: string[] = [];
  const record = (name: string) => () => (destroyed ? late : seen).push(name);
  for (
    const type of [
      "headerReceive",
      "headersReceive",
      "dataReceive",
      "dataEnd",
      "dataReceiveProgress",
      "dataSendProgress",
    ] as const
  ) {
    req.on(type as "dataEnd", record(type));
  }
  // destroy() from inside the first dataReceive: the second chunk is still on its way.
  let firstChunk!: () => void;
  const gotChunk = new Promise<void>((resolve) => firstChunk = resolve);
  req.once("dataReceive", () => {
    destroyed = true;
    req.destroy();
    firstChunk();
  });

  const stream = req.requestInStream(streaming.url);
  const buffered = req.request(silent.url);
  const callback = viaCallback((cb) =>
    req.request(silent.url, { method: "POST", extraData: "x" }, cb)
  );
  await gotChunk;

  const message = /^The request was destroyed: destroy\(\) was called/;
  assertBusinessError(await rejection(stream), 2300023, message);
  assertBusinessError(await rejection(buffered), 2300023, message);
  const { err } = await callback;
  assertBusinessError(err, 2300023, message);
  assert.ok(seen.includes("headersReceive") && seen.includes("dataReceive"), String(seen));
  // Give anything still queued a chance to (wrongly) fire.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(late, [], "no event after destroy()");
});

Deno.test("on(), once() and off() with an unknown event or a non-function throw code 401", () => {
  const req = http.createHttp();
  try {
    for (
      const call of [
        // deno-lint-ignore no-explicit-any
        () => (req as any).on("nope", () => {}),
        // deno-lint-ignore no-explicit-any
        () => (req as any).once("nope", () => {}),
        // deno-lint-ignore no-explicit-any
        () => (req as any).off("nope"),
        // deno-lint-ignore no-explicit-any
        () => (req as any).on("dataEnd", "not a function"),
      ]
    ) {
      assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.equal((error as BusinessError).code, 401);
        assert.match(error.message, /'type' must be one of|'callback' must be a function/);
        return true;
      });
    }
  } finally {
    req.destroy();
  }
});
