// RFC 9112 framing on the socket-level engine: hand-written responses from a raw server.
// A mis-framed message is an error (never a success) and its connection is not reused.

import assert from "node:assert/strict";
import { NetError } from "../src/core/errors.ts";
import { HeadScanner, parseHead, parseScanned } from "../src/core/wire/response_head.ts";
import { byteServer, text, wireRequest, wireTransport } from "./_wire_helpers.ts";

async function rejection(promise: Promise<unknown>): Promise<NetError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof NetError, `expected a NetError, got ${error}`);
    return error;
  }
  throw new Error("expected a failure");
}

/** Sends one GET to a server answering `bytes`, then a second: returns both outcomes. */
async function exchange(bytes: string, method = "GET") {
  await using server = byteServer((_head, index) =>
    index === 0 ? bytes : "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
  );
  using transport = wireTransport();
  let first: { status: number; body: string } | NetError;
  try {
    const response = await transport.send(wireRequest(server.url, { method }));
    first = { status: response.status, body: await text(response) };
  } catch (error) {
    if (!(error instanceof NetError)) throw error;
    first = error;
  }
  const second = await transport.send(wireRequest(server.url));
  assert.equal(await text(second), "ok");
  return { first, connections: server.connections };
}

Deno.test("wire framing: Content-Length with Transfer-Encoding is an error and the connection is not reused", async () => {
  const { first, connections } = await exchange(
    "HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
  );
  assert.ok(first instanceof NetError);
  assert.equal(first.code, "BAD_RESPONSE");
  assert.equal(connections, 2);
});

Deno.test("wire framing: conflicting Content-Length values are an error", async () => {
  const { first, connections } = await exchange(
    "HTTP/1.1 200 OK\r\ncontent-length: 3\r\ncontent-length: 5\r\n\r\nhello",
  );
  assert.ok(first instanceof NetError);
  assert.equal(first.code, "BAD_RESPONSE");
  assert.equal(connections, 2);
});

Deno.test("wire framing: a Content-Length list with different values is an error", async () => {
  const { first } = await exchange("HTTP/1.1 200 OK\r\ncontent-length: 5, 3\r\n\r\nhello");
  assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE");
});

Deno.test("wire framing: a duplicate identical Content-Length is one length", async () => {
  const { first, connections } = await exchange(
    "HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 5\r\n\r\nhello",
  );
  assert.deepEqual(first, { status: 200, body: "hello" });
  assert.equal(connections, 1);
});

Deno.test("wire framing: an invalid Content-Length is an error", async () => {
  for (const value of ["-1", "+5", "5x", "0x5", "", "99999999999999999999"]) {
    const { first } = await exchange(`HTTP/1.1 200 OK\r\ncontent-length: ${value}\r\n\r\nhello`);
    assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE", `for ${value}`);
  }
});

Deno.test("wire framing: a bare LF ends a line, as on the fetch path; a bare CR is an error", async () => {
  for (
    const bytes of [
      "HTTP/1.1 200 OK\ncontent-length: 2\n\nok",
      "HTTP/1.1 200 OK\r\ncontent-length: 2\n\r\nok",
      "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\nok",
    ]
  ) {
    const { first } = await exchange(bytes);
    assert.deepEqual(first, { status: 200, body: "ok" }, JSON.stringify(bytes));
  }
  for (
    const bytes of [
      "HTTP/1.1 200 OK\r\nx: a\rb\r\ncontent-length: 2\r\n\r\nok",
      "HTTP/1.1 200 OK\rcontent-length: 2\r\n\r\nok",
    ]
  ) {
    const { first } = await exchange(bytes);
    assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE", JSON.stringify(bytes));
  }
});

Deno.test("wire framing: obs-fold is an error, as on the fetch path", async () => {
  const { first, connections } = await exchange(
    "HTTP/1.1 200 OK\r\nx-long: one\r\n  two\r\ncontent-length: 2\r\n\r\nok",
  );
  assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE");
  assert.equal(connections, 2);
});

Deno.test("wire framing: whitespace before the colon and invalid names are errors", async () => {
  for (const line of ["x-a : 1", "x a: 1", ": 1", "x-a"]) {
    const { first } = await exchange(`HTTP/1.1 200 OK\r\n${line}\r\ncontent-length: 2\r\n\r\nok`);
    assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE", line);
  }
});

Deno.test("wire framing: a head over 256 KiB is an error", async () => {
  const big = `x-big: ${"a".repeat(300 * 1024)}\r\n`;
  const { first } = await exchange(`HTTP/1.1 200 OK\r\n${big}content-length: 2\r\n\r\nok`);
  assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE");
});

Deno.test("wire framing: chunked with extensions and trailers", async () => {
  const { first, connections } = await exchange(
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" +
      "5;name=value\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nx-trailer: yes\r\nx-more: 2\r\n\r\n",
  );
  assert.deepEqual(first, { status: 200, body: "hello world" });
  assert.equal(connections, 1);
});

Deno.test("wire framing: a truncated chunked body is a receive error, as on the fetch path", async () => {
  await using server = byteServer(
    () => "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nwo",
    { closeAfter: true },
  );
  using transport = wireTransport();
  const response = await transport.send(wireRequest(server.url));
  const error = await rejection(text(response));
  assert.equal(error.code, "RECEIVE_FAILED");
});

Deno.test("wire framing: broken chunk sizes and chunk ends are errors", async () => {
  for (
    const body of [
      "zz\r\nhello\r\n0\r\n\r\n",
      "5\r\nhelloXX0\r\n\r\n",
      "-5\r\nhello\r\n0\r\n\r\n",
      "1234567890abcdef\r\nhello\r\n0\r\n\r\n",
      "5\rhello\r\n0\r\n\r\n",
    ]
  ) {
    await using server = byteServer(() =>
      `HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${body}`
    );
    using transport = wireTransport();
    const response = await transport.send(wireRequest(server.url));
    const error = await rejection(text(response));
    assert.equal(error.code, "BAD_RESPONSE", JSON.stringify(body));
  }
});

Deno.test("wire framing: an unsupported transfer coding is an error", async () => {
  const { first } = await exchange(
    "HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
  );
  assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE");
});

Deno.test("wire framing: a close-delimited body ends with the connection", async () => {
  await using server = byteServer(() => "HTTP/1.1 200 OK\r\n\r\nuntil the end", {
    closeAfter: true,
  });
  using transport = wireTransport();
  const response = await transport.send(wireRequest(server.url));
  assert.equal(await text(response), "until the end");
  assert.equal(transport.pool.size, 0);
});

Deno.test("wire framing: a short Content-Length body is a partial body", async () => {
  await using server = byteServer(() => "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nhello", {
    closeAfter: true,
  });
  using transport = wireTransport();
  const response = await transport.send(wireRequest(server.url));
  const error = await rejection(text(response));
  assert.equal(error.code, "PARTIAL_BODY");
});

Deno.test("wire framing: 1xx interim responses are skipped, 101 is refused", async () => {
  const { first } = await exchange(
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" +
      "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi",
  );
  assert.deepEqual(first, { status: 200, body: "hi" });
  const upgraded = await exchange("HTTP/1.1 101 Switching Protocols\r\nupgrade: x\r\n\r\n");
  assert.ok(upgraded.first instanceof NetError && upgraded.first.code === "BAD_RESPONSE");
});

Deno.test("wire framing: HEAD, 204 and 304 have no body whatever their headers say", async () => {
  for (
    const [method, bytes] of [
      ["HEAD", "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n"],
      ["GET", "HTTP/1.1 204 No Content\r\ncontent-length: 100\r\n\r\n"],
      ["GET", "HTTP/1.1 304 Not Modified\r\ntransfer-encoding: chunked\r\n\r\n"],
    ]
  ) {
    const { first, connections } = await exchange(bytes, method);
    assert.ok(!(first instanceof NetError), `${method} ${bytes}: ${first}`);
    assert.equal(first.body, "");
    assert.equal(connections, 1, bytes);
  }
});

Deno.test("wire framing: an HTTP/1.0 response without keep-alive closes the connection", async () => {
  const { first, connections } = await exchange(
    "HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\nok",
  );
  assert.deepEqual(first, { status: 200, body: "ok" });
  assert.equal(connections, 2);
});

Deno.test("wire framing: bytes after the body make the connection unusable", async () => {
  const { first, connections } = await exchange(
    "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nevil",
  );
  assert.deepEqual(first, { status: 200, body: "ok" });
  assert.equal(connections, 2);
});

Deno.test("wire framing: no response at all is an empty reply; a bad status line is an error", async () => {
  {
    await using server = byteServer(() => null);
    using transport = wireTransport();
    const error = await rejection(transport.send(wireRequest(server.url)));
    assert.equal(error.code, "EMPTY_REPLY");
  }
  for (const line of ["HTTP/2 200 OK", "HTTP/1.1 20 OK", "ICY 200 OK", "HTTP/1.1 200 O\x00K"]) {
    const { first } = await exchange(`${line}\r\ncontent-length: 2\r\n\r\nok`);
    assert.ok(first instanceof NetError && first.code === "BAD_RESPONSE", line);
  }
});

Deno.test("wire framing: header values keep bytes above 0x7f one char per byte, as fetch does", async () => {
  await using server = byteServer(() =>
    "HTTP/1.1 200 OK\r\nx-latin: caf\xe9\r\ncontent-length: 0\r\n\r\n"
  );
  using transport = wireTransport();
  const response = await transport.send(wireRequest(server.url));
  assert.equal(response.headers.get("x-latin"), "caf\xe9");
  await text(response);
});

Deno.test("wire framing: the parsed fields read as a Headers object built from them reads", () => {
  const lines = [
    ["X-B", "2"],
    ["set-cookie", "a=1"],
    ["x-a", " 1 "],
    ["Set-Cookie", "b=2"],
    ["x-b", "3"],
    ["Content-Length", "0"],
  ];
  const head = parseHead(
    `HTTP/1.1 200 OK\r\n${lines.map(([n, v]) => `${n}:${v}\r\n`).join("")}\r\n`,
  );
  const expected = new Headers();
  for (const [name, value] of lines) expected.append(name, value.trim());
  assert.deepEqual([...head.headers], [...expected]);
  assert.deepEqual([...head.headers.keys()], [...expected.keys()]);
  const seen: string[] = [];
  head.headers.forEach((value, name) => seen.push(`${name}=${value}`));
  assert.deepEqual(seen, [...expected].map(([name, value]) => `${name}=${value}`));
  assert.equal(head.headers.get("X-B"), "2, 3");
  assert.deepEqual(head.headers.getSetCookie(), ["a=1", "b=2"]);
  // Pairs handed out are copies: changing one changes nothing.
  for (const pair of head.headers) pair[1] = "changed";
  assert.deepEqual([...head.headers], [...expected]);
  head.headers.append("x-c", "4");
  expected.append("x-c", "4");
  assert.deepEqual([...head.headers], [...expected]);
});

Deno.test("wire framing: a head read in pieces parses as read at once, and a bare CR at a piece's end is refused", () => {
  const text = "HTTP/1.1 200 OK\r\nx-a: 1\r\nx-b:2\ncontent-length: 0\r\n\r\n";
  const bytes = new TextEncoder().encode(text);
  const whole = parseHead(text);
  for (let cut = 1; cut < bytes.byteLength; cut++) {
    const scanner = new HeadScanner();
    scanner.reset(0);
    assert.equal(scanner.scan(bytes, cut), -1, `cut at ${cut}`);
    const end = scanner.scan(bytes, bytes.byteLength);
    assert.equal(end, bytes.byteLength, `cut at ${cut}`);
    const head = parseScanned(bytes, 0, end, scanner);
    assert.deepEqual([...head.headers], [...whole.headers], `cut at ${cut}`);
  }
  const bare = new TextEncoder().encode("HTTP/1.1 200 OK\r\nx-a: 1\rx\r\n\r\n");
  const cr = bare.indexOf(13, 20);
  const scanner = new HeadScanner();
  scanner.reset(0);
  assert.equal(scanner.scan(bare, cr + 1), -1);
  assert.throws(
    () => scanner.scan(bare, bare.byteLength),
    (e: NetError) => e.code === "BAD_RESPONSE",
  );
  // Bytes moved toward the buffer's start between pieces (the read buffer compacts).
  const moved = new Uint8Array(bytes.byteLength + 5);
  moved.set(bytes, 5);
  const shifting = new HeadScanner();
  shifting.reset(5);
  assert.equal(shifting.scan(moved, 5 + 20), -1);
  moved.copyWithin(0, 5);
  shifting.shift(5);
  const end = shifting.scan(moved, bytes.byteLength);
  assert.deepEqual([...parseScanned(moved, 0, end, shifting).headers], [...whole.headers]);
});

Deno.test("wire framing: a scanner keeps no long line table after a head of many lines", () => {
  const many = `HTTP/1.1 200 OK\r\n${"x-a: 1\r\n".repeat(5000)}\r\n`;
  const bytes = new TextEncoder().encode(many);
  const scanner = new HeadScanner();
  scanner.reset(0);
  assert.equal(scanner.scan(bytes, bytes.byteLength), bytes.byteLength);
  assert.equal(
    parseScanned(bytes, 0, bytes.byteLength, scanner).headers.get("x-a")?.length,
    5000 * 3 - 2,
  );
  scanner.reset(0);
  assert.ok(scanner.lines.length < 1000, `${scanner.lines.length} entries kept`);
});
