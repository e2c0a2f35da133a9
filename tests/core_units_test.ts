// Unit tests of core pieces the layers rely on, each against a loopback peer
// the test runs itself: the loopback SOCKS5 relay (RFC 1928/1929), the raw
// HTTP/1.1 response parser (RFC 9112), the deadlines, the proxy exclusion
// rules, and the structured details of core errors.

import assert from "node:assert/strict";
import { classifyError, NetError } from "../src/core/errors.ts";
import { hopProxy } from "../src/core/clients.ts";
import { isExcluded } from "../src/core/proxy.ts";
import { SocksRelay } from "../src/core/relay.ts";
import type { Resolver } from "../src/core/dns.ts";
import type { ProxyServer, TransportOptions } from "../src/core/request.ts";
import { Deadline } from "../src/core/timeouts.ts";
import { closedPort, needs, rawServer, requireBinary, write } from "./_helpers.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---------------------------------------------------------------- relay

/** Reads exactly `n` bytes. */
async function readExactly(conn: Deno.Conn, n: number): Promise<Uint8Array> {
  const out = new Uint8Array(n);
  for (let got = 0; got < n;) {
    const read = await conn.read(out.subarray(got));
    if (read === null) throw new Error(`closed after ${got} of ${n} bytes`);
    got += read;
  }
  return out;
}

/** A SOCKS5 client's handshake (user/password, CONNECT by name); returns the reply code. */
async function socksConnect(
  relayUrl: string,
  credentials: { username: string; password: string },
  host: string,
  port: number,
): Promise<{ conn: Deno.TcpConn; reply: number }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(relayUrl).port) });
  try {
    return await handshake(conn, credentials, host, port);
  } catch (error) {
    conn.close();
    throw error;
  }
}

async function handshake(
  conn: Deno.TcpConn,
  credentials: { username: string; password: string },
  host: string,
  port: number,
): Promise<{ conn: Deno.TcpConn; reply: number }> {
  await write(conn, new Uint8Array([5, 1, 2]));
  assert.deepEqual(await readExactly(conn, 2), new Uint8Array([5, 2]));
  const user = encoder.encode(credentials.username);
  const pass = encoder.encode(credentials.password);
  await write(conn, new Uint8Array([1, user.length, ...user, pass.length, ...pass]));
  const [, status] = await readExactly(conn, 2);
  if (status !== 0) return { conn, reply: -1 };
  const name = encoder.encode(host);
  await write(conn, new Uint8Array([5, 1, 0, 3, name.length, ...name, port >> 8, port & 0xff]));
  const head = await readExactly(conn, 4);
  const rest = head[3] === 1 ? 6 : head[3] === 4 ? 18 : 2 + (await readExactly(conn, 1))[0]!;
  await readExactly(conn, rest);
  return { conn, reply: head[1]! };
}

/** Answers every name with 127.0.0.1, or fails for `*.invalid`; counts lookups. */
function loopbackResolver(): Resolver & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve(host: string): Promise<string[]> {
      asked.push(host);
      if (host.endsWith(".invalid")) {
        return Promise.reject(new NetError("HOST_UNRESOLVED", `${host} does not resolve`));
      }
      return Promise.resolve(["127.0.0.1"]);
    },
  };
}

Deno.test("relay: a route's connection is resolved by its own resolver, relayed, and its phases seen", async () => {
  await using echo = rawServer(async (conn) => {
    const buffer = new Uint8Array(64);
    const n = await conn.read(buffer);
    if (n) await write(conn, buffer.subarray(0, n));
  });
  const relay = new SocksRelay();
  try {
    const resolver = loopbackResolver();
    const credentials = relay.register({ resolver, connectTimeout: 0 });
    const since = performance.now();
    const { conn, reply } = await socksConnect(relay.url, credentials, "app.test", echo.port);
    assert.equal(reply, 0, "succeeded");
    await write(conn, "ping");
    assert.equal(decoder.decode(await readExactly(conn, 4)), "ping");
    conn.close();
    assert.deepEqual(resolver.asked, ["app.test"], "the name went to the route's resolver");
    const phases = relay.takePhases(credentials.username, "app.test", echo.port, since);
    assert.ok(phases && phases.dns !== null && phases.tcp !== null);
    assert.ok(phases.dns! <= phases.tcp!, "DNS before TCP");
    assert.equal(phases.tls, null, "no TLS on a plain connection");
    assert.equal(
      relay.takePhases(credentials.username, "app.test", echo.port, since),
      null,
      "each connection's phases are handed out once",
    );
  } finally {
    relay.close();
  }
});

Deno.test("relay: a wrong password is refused; failures are kept per route with their code", async () => {
  const relay = new SocksRelay();
  try {
    const credentials = relay.register({ resolver: loopbackResolver(), connectTimeout: 0 });
    const wrong = await socksConnect(
      relay.url,
      { ...credentials, password: "guess" },
      "a.test",
      80,
    );
    assert.equal(wrong.reply, -1);
    wrong.conn.close();

    const since = performance.now();
    const unresolved = await socksConnect(relay.url, credentials, "nowhere.invalid", 80);
    assert.equal(unresolved.reply, 4, "host unreachable");
    unresolved.conn.close();
    assert.equal(
      relay.failure(credentials.username, "nowhere.invalid", 80, since)?.code,
      "HOST_UNRESOLVED",
    );
    const port = closedPort();
    const refused = await socksConnect(relay.url, credentials, "app.test", port);
    assert.equal(refused.reply, 5, "connection refused");
    refused.conn.close();
    const failure = relay.failure(credentials.username, "app.test", port, since);
    assert.equal(failure?.code, "CONNECT_FAILED");
    assert.equal(failure?.details.phase, "connect");
  } finally {
    relay.close();
  }
});

Deno.test("relay: the connect limit cuts a connection that is not up in time", async () => {
  const relay = new SocksRelay();
  try {
    const slow: Resolver = {
      resolve: (_host, signal) =>
        new Promise((_resolve, reject) => {
          signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        }),
    };
    const credentials = relay.register({ resolver: slow, connectTimeout: 50 });
    const since = performance.now();
    // The relay closes the client's connection when the limit passes.
    await socksConnect(relay.url, credentials, "slow.test", 80).then(
      ({ conn }) => conn.close(),
      () => {},
    );
    const failure = relay.failure(credentials.username, "slow.test", 80, since);
    assert.equal(failure?.code, "TIMEOUT");
    assert.equal(failure?.details.limit, "connect-time");
    assert.equal(failure?.details.max, 50);
  } finally {
    relay.close();
  }
});

// The HTTP/1.1 parser's cases (status line, 1xx, chunked with extensions and trailers,
// close-delimited bodies, HEAD and 204, malformed heads) are in wire_framing_test.ts.

// ---------------------------------------------------------------- deadlines

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cutReason(deadline: Deadline): Promise<NetError> {
  return new Promise((resolve) => {
    deadline.signal.addEventListener("abort", () => resolve(deadline.reason!), { once: true });
  });
}

Deno.test("deadlines: the total, head and idle limits cut with the limit in the details", async () => {
  const base = { totalTimeout: 0, connectTimeout: 0, signal: null };
  const total = new Deadline({ ...base, totalTimeout: 20, startTime: performance.now() });
  assert.equal((await cutReason(total)).details.limit, "total-time");
  const head = new Deadline({
    ...base,
    connectTimeout: 20,
    totalTimeout: 10_000,
    startTime: performance.now(),
  });
  const headReason = await cutReason(head);
  assert.equal(headReason.details.limit, "connect-time");
  assert.equal(headReason.details.max, 20);
  const idle = new Deadline({ ...base, idleTimeout: 20, startTime: performance.now() });
  assert.equal((await cutReason(idle)).details.limit, "idle-time");
  for (const d of [total, head, idle]) assert.equal(d.reason?.code, "TIMEOUT");
});

Deno.test("deadlines: the head limit ends with the head; progress restarts the idle limit", async () => {
  const head = new Deadline({
    totalTimeout: 0,
    connectTimeout: 30,
    signal: null,
    startTime: performance.now(),
  });
  head.headersArrived();
  await delay(60);
  assert.equal(head.reason, null);
  head.clear();

  const idle = new Deadline({
    totalTimeout: 0,
    connectTimeout: 0,
    idleTimeout: 60,
    signal: null,
    startTime: performance.now(),
  });
  for (let i = 0; i < 6; i++) {
    await delay(20);
    idle.touch();
  }
  assert.equal(idle.reason, null, "progress every third of the limit keeps it alive");
  idle.clear();
});

Deno.test("deadlines: the caller's signal cuts with its NetError reason, or ABORTED", () => {
  const caller = new AbortController();
  const a = new Deadline({
    totalTimeout: 0,
    connectTimeout: 0,
    signal: caller.signal,
    startTime: performance.now(),
  });
  const b = new Deadline({
    totalTimeout: 0,
    connectTimeout: 0,
    signal: caller.signal,
    startTime: performance.now(),
  });
  caller.abort(new NetError("DESTROYED", "gone"));
  assert.equal(a.reason?.code, "DESTROYED");
  assert.equal(b.reason?.code, "DESTROYED");
  const other = new AbortController();
  other.abort("plain reason");
  const c = new Deadline({
    totalTimeout: 0,
    connectTimeout: 0,
    signal: other.signal,
    startTime: performance.now(),
  });
  assert.equal(c.reason?.code, "ABORTED");
  for (const d of [a, b, c]) d.clear();
});

// ---------------------------------------------------------------- proxy exclusion

Deno.test("proxy exclusion: names, IP literals and * patterns, case and brackets ignored", () => {
  const list = ["localhost", "*.local", "10.*", "[::1]", "Example.COM", "  spaced.test "];
  for (
    const host of [
      "localhost",
      "printer.local",
      "a.b.local",
      "10.1.2.3",
      "::1",
      "[::1]",
      "example.com",
      "EXAMPLE.com.",
      "spaced.test",
    ]
  ) {
    assert.ok(isExcluded(host, list), host);
  }
  for (const host of ["local", "printer.local.evil", "110.1.2.3", "www.example.com", "127.0.0.1"]) {
    assert.ok(!isExcluded(host, list), host);
  }
  assert.ok(!isExcluded("anything", ["", "  "]), "empty patterns match nothing");
});

Deno.test("proxy exclusion: the hop's proxy follows the list; no settings is the platform's", () => {
  const proxy: ProxyServer = {
    url: new URL("http://127.0.0.1:3128"),
    exclusionList: ["*.internal"],
    credentials: null,
  };
  const options: TransportOptions = {
    caPath: null,
    clientCert: null,
    proxy,
    dns: null,
    exactConnectTimeout: false,
  };
  assert.equal(hopProxy(options, new URL("http://db.internal/")), "direct");
  assert.equal(hopProxy(options, new URL("http://example.test/")), proxy);
  assert.equal(hopProxy(undefined, new URL("http://example.test/")), "platform");
  assert.equal(
    hopProxy({ ...options, proxy: "environment" }, new URL("http://db.internal/")),
    "environment",
  );
});

// ---------------------------------------------------------------- error details

Deno.test("errors: details and cause travel with the code; classification records the phase", async () => {
  const cause = new Error("boom");
  const error = new NetError("WRITE_FAILED", "too big", {
    cause,
    details: { limit: "body-size", max: 10, actual: 11, phase: "body" },
  });
  assert.equal(error.cause, cause);
  assert.deepEqual(error.details, { limit: "body-size", max: 10, actual: 11, phase: "body" });
  assert.deepEqual(new NetError("INTERNAL").details, {});

  // A refused connection, classified from what fetch throws.
  const port = closedPort();
  const thrown = await fetch(`http://127.0.0.1:${port}/`).then(() => null, (e) => e);
  const classified = classifyError(thrown, "connect");
  assert.equal(classified.code, "CONNECT_FAILED");
  assert.equal(classified.details.phase, "connect");
  assert.ok(classified.cause, "the runtime's error stays reachable");
});

// ---------------------------------------------------------------- the test helper for server binaries

Deno.test("test helper: a missing server binary ignores the test; with CI=true it runs and fails", () => {
  const saved = Deno.env.get("CI");
  try {
    Deno.env.delete("CI");
    assert.deepEqual(needs("/nonexistent/server-binary"), { ignore: true });
    assert.deepEqual(needs(Deno.execPath()), { ignore: false });
    assert.equal(requireBinary("/nonexistent/server-binary"), false);
    Deno.env.set("CI", "true");
    assert.deepEqual(needs("/nonexistent/server-binary"), { ignore: false });
    assert.throws(() => requireBinary("/nonexistent/server-binary"), /is missing/);
  } finally {
    if (saved === undefined) Deno.env.delete("CI");
    else Deno.env.set("CI", saved);
  }
});
