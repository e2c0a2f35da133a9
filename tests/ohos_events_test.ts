// The OpenHarmony face's events (on/once/off) against real loopback servers: header events per
// redirect hop, streamed data and its progress, upload progress, destroy() and throwing listeners.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { createHttp, rawServer, readHead, serve, write } from "./_helpers.ts";

const MiB = 1024 * 1024;
const decoder = new TextDecoder();

/** An HttpRequest destroyed by `using`. */

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function randomBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
  return bytes;
}

function concat(chunks: ArrayBuffer[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, c) => sum + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    out.set(new Uint8Array(chunk), offset);
    offset += chunk.byteLength;
  }
  return out;
}

type Header = Record<string, string | string[]>;

/** /r1 → 302 /r2 → 302 /final; every response says which hop it is in `x-hop`. */
function hopServer(body: BodyInit | (() => BodyInit) = "final body") {
  return serve((request) => {
    switch (new URL(request.url).pathname) {
      case "/r1":
        return new Response(null, { status: 302, headers: { location: "/r2", "x-hop": "1" } });
      case "/r2":
        return new Response(null, { status: 302, headers: { location: "/final", "x-hop": "2" } });
      default:
        return new Response(typeof body === "function" ? body() : body, {
          headers: { "x-hop": "3" },
        });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Header events

Deno.test("headersReceive and headerReceive fire per redirect hop for request()", async () => {
  await using server = hopServer();
  using req = createHttp();
  const first: Header[] = [];
  const second: Header[] = [];
  const legacy: unknown[][] = [];
  req.on("headersReceive", (header) => first.push(header as Header));
  req.on("headersReceive", (header) => second.push(header as Header));
  req.on("headerReceive", (...args: unknown[]) => legacy.push(args));

  const res = await req.request(`${server.url}/r1`);
  assert.equal(res.result, "final body");
  assert.deepEqual(first.map((h) => h["x-hop"]), ["1", "2", "3"]);
  assert.deepEqual(second.map((h) => h["x-hop"]), ["1", "2", "3"]);
  assert.equal(first[0]!.location, "/r2");
  assert.equal(legacy.length, 3);
  for (const args of legacy) {
    assert.equal(args.length, 2);
    assert.equal(args[0], undefined);
  }
  assert.deepEqual(legacy.map((args) => (args[1] as Header)["x-hop"]), ["1", "2", "3"]);
  // The last header event carries the same header object as the response.
  assert.deepEqual(first[2], res.header);
});

Deno.test("headersReceive and headerReceive fire per redirect hop for requestInStream()", async () => {
  await using server = hopServer();
  using req = createHttp();
  const hops: unknown[] = [];
  const legacy: unknown[][] = [];
  req.on("headersReceive", (header) => hops.push((header as Header)["x-hop"]));
  req.on("headerReceive", (...args: unknown[]) => legacy.push(args));
  assert.equal(await req.requestInStream(`${server.url}/r1`), 200);
  assert.deepEqual(hops, ["1", "2", "3"]);
  assert.deepEqual(legacy.map((args) => [args[0], (args[1] as Header)["x-hop"]]), [
    [undefined, "1"],
    [undefined, "2"],
    [undefined, "3"],
  ]);
});

Deno.test("header events: set-cookie arrives as an array, names lower-case", async () => {
  await using server = serve(() => {
    const headers = new Headers({ "X-Mixed": "v" });
    headers.append("Set-Cookie", "a=1");
    headers.append("Set-Cookie", "b=2");
    return new Response("ok", { headers });
  });
  using req = createHttp();
  const seen: Header[] = [];
  req.on("headersReceive", (header) => seen.push(header as Header));
  await req.request(server.url);
  assert.equal(seen.length, 1);
  assert.deepEqual(seen[0]!["set-cookie"], ["a=1", "b=2"]);
  assert.equal(seen[0]!["x-mixed"], "v");
  for (const name of Object.keys(seen[0]!)) assert.equal(name, name.toLowerCase());
});

Deno.test("once fires once; off(type, cb) removes one; off(type) removes all; duplicates count once", async () => {
  await using server = hopServer();
  using req = createHttp();
  const calls: string[] = [];
  const a = () => calls.push("a");
  const b = () => calls.push("b");
  const legacy = () => calls.push("legacy");
  const onceOnly = () => calls.push("once");

  // The same function twice is called once per header block.
  req.on("headersReceive", a);
  req.on("headersReceive", a);
  req.on("headersReceive", b);
  req.once("headersReceive", onceOnly);
  req.on("headerReceive", legacy);
  await req.request(`${server.url}/final`);
  assert.deepEqual(calls.sort(), ["a", "b", "legacy", "once"]);

  // once stays gone; it fired for the first hop only even across a redirect chain.
  calls.length = 0;
  const onceHops: unknown[] = [];
  req.once("headersReceive", (header) => onceHops.push((header as Header)["x-hop"]));
  await req.request(`${server.url}/r1`);
  assert.deepEqual(onceHops, ["1"]);
  assert.equal(calls.filter((c) => c === "once").length, 0);
  assert.equal(calls.filter((c) => c === "a").length, 3);

  // off with a callback removes only that one.
  calls.length = 0;
  req.off("headersReceive", a);
  await req.request(`${server.url}/final`);
  assert.deepEqual(calls.sort(), ["b", "legacy"]);

  // off without one removes every listener of that event, and only of that event.
  calls.length = 0;
  req.off("headersReceive");
  await req.request(`${server.url}/final`);
  assert.deepEqual(calls, ["legacy"]);

  calls.length = 0;
  req.off("headerReceive", legacy);
  await req.requestInStream(`${server.url}/r1`);
  assert.deepEqual(calls, []);
});

Deno.test("listeners are shared by concurrent requests of one HttpRequest", async () => {
  await using server = hopServer();
  using req = createHttp();
  let headers = 0;
  req.on("headersReceive", () => headers++);
  await Promise.all([
    req.request(`${server.url}/final`),
    req.request(`${server.url}/r1`),
    req.requestInStream(`${server.url}/final`),
  ]);
  assert.equal(headers, 5);
});

// ---------------------------------------------------------------------------------------------
// Streamed data

Deno.test("dataReceive chunks make the exact body; progress rises to Content-Length; dataEnd once, last", async () => {
  const body = randomBytes(2 * MiB + 123);
  await using server = hopServer(() => body.slice());
  using req = createHttp();
  const chunks: ArrayBuffer[] = [];
  const progress: Array<{ receiveSize: number; totalSize: number }> = [];
  const log: string[] = [];
  req.on("dataReceive", (chunk) => {
    assert.ok(chunk instanceof ArrayBuffer);
    chunks.push(chunk);
    log.push("data");
  });
  req.on("dataReceiveProgress", (info) => {
    progress.push({ ...info });
    log.push("progress");
  });
  req.on("dataEnd", (...args: unknown[]) => {
    assert.equal(args[0], undefined);
    log.push("end");
  });

  const status = await req.requestInStream(`${server.url}/r1`);
  log.push("resolved");
  assert.equal(status, 200);
  assert.ok(chunks.length > 1, `${chunks.length} chunks`);
  const received = concat(chunks);
  assert.equal(received.byteLength, body.byteLength);
  assert.equal(await sha256(received), await sha256(body));

  assert.ok(progress.length > 0);
  for (let i = 0; i < progress.length; i++) {
    assert.equal(progress[i]!.totalSize, body.byteLength);
    if (i > 0) assert.ok(progress[i]!.receiveSize > progress[i - 1]!.receiveSize);
  }
  assert.equal(progress.at(-1)!.receiveSize, body.byteLength);

  assert.equal(log.filter((e) => e === "end").length, 1);
  assert.deepEqual(log.slice(-2), ["end", "resolved"]);
});

Deno.test("dataReceiveProgress: totalSize is 0 for a chunked body", async () => {
  await using server = serve(() => {
    let sent = 0;
    return new Response(
      new ReadableStream<Uint8Array>({
        async pull(controller) {
          await delay(5);
          controller.enqueue(new Uint8Array(1000).fill(sent));
          if (++sent === 4) controller.close();
        },
      }),
    );
  });
  using req = createHttp();
  const progress: Array<{ receiveSize: number; totalSize: number }> = [];
  let bytes = 0;
  let ends = 0;
  req.on("dataReceive", (chunk) => bytes += chunk.byteLength);
  req.on("dataReceiveProgress", (info) => progress.push({ ...info }));
  req.on("dataEnd", () => ends++);
  assert.equal(await req.requestInStream(server.url), 200);
  assert.equal(bytes, 4000);
  assert.ok(progress.length > 0);
  assert.ok(progress.every((p) => p.totalSize === 0), JSON.stringify(progress));
  assert.equal(progress.at(-1)!.receiveSize, 4000);
  assert.equal(ends, 1);
});

Deno.test("dataReceive, dataReceiveProgress and dataEnd do not fire for request()", async () => {
  await using server = hopServer("x".repeat(100_000));
  using req = createHttp();
  const fired: string[] = [];
  req.on("dataReceive", () => fired.push("dataReceive"));
  req.on("dataReceiveProgress", () => fired.push("dataReceiveProgress"));
  req.on("dataEnd", () => fired.push("dataEnd"));
  req.on("headersReceive", () => fired.push("headers"));
  const res = await req.request(`${server.url}/r1`);
  assert.equal((res.result as string).length, 100_000);
  assert.deepEqual(fired, ["headers", "headers", "headers"]);
});

Deno.test("dataEnd does not fire for a failed stream", async () => {
  await using server = rawServer(async (conn) => {
    await readHead(conn);
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
  });
  using req = createHttp();
  let ends = 0;
  let bytes = 0;
  req.on("dataEnd", () => ends++);
  req.on("dataReceive", (chunk) => bytes += chunk.byteLength);
  const err = await req.requestInStream(server.url).then(
    () => assert.fail("expected a rejection"),
    (e) => e,
  );
  assert.equal(err.code, 2300018); // CURLE_PARTIAL_FILE: the body ended before Content-Length
  assert.equal(ends, 0);
  assert.ok(bytes <= 9);
});

// ---------------------------------------------------------------------------------------------
// Upload progress

Deno.test("dataSendProgress: a 20 MiB POST rises to 20 MiB, the last only once the server has it all", async () => {
  const size = 20 * MiB;
  const body = new Uint8Array(size);
  for (let i = 0; i < size; i += 4096) body[i] = i % 251;
  let serverDone = 0;
  let serverLength: string | null = null;
  let serverEncoding: string | null = "unset";
  let serverHash = "";
  await using server = serve(async (request) => {
    const bytes = new Uint8Array(await request.arrayBuffer());
    serverDone = performance.now();
    serverLength = request.headers.get("content-length");
    serverEncoding = request.headers.get("transfer-encoding");
    serverHash = await sha256(bytes);
    return new Response(String(bytes.byteLength));
  });
  using req = createHttp();
  const events: Array<{ sendSize: number; totalSize: number; at: number }> = [];
  req.on("dataSendProgress", (info) => events.push({ ...info, at: performance.now() }));

  const res = await req.request(server.url, { method: "POST", extraData: body });
  assert.equal(res.result, String(size));
  assert.equal(serverLength, String(size));
  assert.equal(serverEncoding, null);
  assert.equal(serverHash, await sha256(body));

  assert.ok(events.length > 2, `${events.length} events`);
  for (let i = 0; i < events.length; i++) {
    assert.equal(events[i]!.totalSize, size);
    if (i > 0) assert.ok(events[i]!.sendSize > events[i - 1]!.sendSize, `event ${i}`);
  }
  const last = events.at(-1)!;
  assert.equal(last.sendSize, size);
  assert.equal(last.totalSize, size);
  assert.equal(events.filter((e) => e.sendSize === size).length, 1);
  assert.ok(last.at >= serverDone, `last event at ${last.at}, server done at ${serverDone}`);
});

Deno.test("dataSendProgress: requestInStream reports the upload too; a GET reports nothing", async () => {
  await using server = serve(async (request) => new Response(await request.arrayBuffer()));
  using req = createHttp();
  const events: Array<{ sendSize: number; totalSize: number }> = [];
  req.on("dataSendProgress", (info) => events.push({ ...info }));

  await req.request(server.url);
  await req.request(server.url, { extraData: { a: 1 } });
  await req.requestInStream(server.url);
  assert.deepEqual(events, []);

  assert.equal(
    await req.requestInStream(server.url, { method: "PUT", extraData: "x".repeat(200_000) }),
    200,
  );
  assert.ok(events.length > 0);
  assert.deepEqual(events.at(-1), { sendSize: 200_000, totalSize: 200_000 });
});

// ---------------------------------------------------------------------------------------------
// destroy() and throwing listeners

Deno.test("destroy() during a stream rejects it with 2300023; nothing fires after; later requests 2300999", async () => {
  await using server = rawServer(async (conn) => {
    await readHead(conn);
    await write(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    await delay(50);
    await write(conn, "5\r\nworld\r\n");
    // Hold the connection open until the client drops it.
    const buffer = new Uint8Array(1024);
    while (await conn.read(buffer) !== null) { /* discard */ }
  });
  const req = http.createHttp();
  const fired: string[] = [];
  let destroyed = false;
  const record = (name: string) => () => fired.push(destroyed ? `${name} after destroy` : name);
  req.on("headersReceive", record("headers"));
  req.on("dataReceiveProgress", record("progress"));
  req.on("dataEnd", record("end"));
  req.on("dataReceive", (chunk) => {
    fired.push(`data ${decoder.decode(chunk)}`);
    destroyed = true;
    req.destroy();
  });

  const err = await req.requestInStream(server.url).then(
    () => assert.fail("expected a rejection"),
    (e) => e,
  );
  assert.equal(err.code, 2300023);
  await delay(100); // the second chunk would have arrived by now
  assert.deepEqual(fired, ["headers", "data hello"]);

  const later = await req.request(server.url).then(() => assert.fail("resolved"), (e) => e);
  assert.equal(later.code, 2300999);
  const laterStream = await req.requestInStream(server.url).then(
    () => assert.fail("resolved"),
    (e) => e,
  );
  assert.equal(laterStream.code, 2300999);
  const viaCallback = await new Promise<{ code: number }>((resolve) =>
    req.request(server.url, (e) => resolve(e))
  );
  assert.equal(viaCallback.code, 2300999);
  req.destroy(); // a second destroy is a no-op
  assert.deepEqual(fired, ["headers", "data hello"]);
});

Deno.test("a listener that throws does not break the request; the error is reported", async () => {
  const reported: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    reported.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    await using server = hopServer("streamed body");
    using req = createHttp();
    const after: string[] = [];
    req.on("headersReceive", () => {
      throw new Error("headers listener");
    });
    req.on("headersReceive", () => after.push("headers"));
    req.on("dataReceive", () => {
      throw new Error("data listener");
    });
    req.on("dataReceive", (chunk) => after.push(decoder.decode(chunk)));
    req.on("dataEnd", () => {
      throw new Error("end listener");
    });

    assert.equal(await req.requestInStream(`${server.url}/r1`), 200);
    assert.deepEqual(after, ["headers", "headers", "headers", "streamed body"]);
    const messages = reported.map((e) => (e as Error).message);
    assert.deepEqual(messages, [
      "headers listener",
      "headers listener",
      "headers listener",
      "data listener",
      "end listener",
    ]);

    reported.length = 0;
    const res = await req.request(`${server.url}/final`);
    assert.equal(res.result, "streamed body");
    assert.deepEqual(reported.map((e) => (e as Error).message), ["headers listener"]);
  } finally {
    globalThis.removeEventListener("error", onError);
  }
});
