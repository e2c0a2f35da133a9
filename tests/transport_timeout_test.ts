// A real connectTimeout: a listener that accepts TCP but never completes the
// TLS handshake fails with 2300028 even when readTimeout is longer, while a
// slow server whose connection is up is not failed by it, on the socket-level
// engine (the default) and through the loopback relay (HTTP/2 stays on fetch).
// Plus the timings measured, the fetch path's client pool (one client per
// configuration, plain fetch without settings), destroy() closes everything.

import assert from "node:assert/strict";
import { ClientPool } from "../src/core/clients.ts";
import { resolveRequest } from "../src/ohos/options.ts";
import http from "../ohos.ts";
import {
  closedPort,
  createHttp,
  failure,
  onEngine,
  rawServer,
  readHead,
  testWith,
  write,
} from "./_helpers.ts";
import { makePki } from "./_transport_servers.ts";
import { OPENSSL } from "./_tls.ts";

type BusinessError = http.BusinessError;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Accepts TCP, reads whatever comes, never writes: a TLS handshake never completes. */
function silentListener() {
  return rawServer(async (conn) => {
    const buffer = new Uint8Array(4096);
    try {
      while (await conn.read(buffer) !== null) { /* swallow */ }
    } catch { /* closed */ }
  });
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  tls: testWith(OPENSSL),
};

test.tls("transport connectTimeout: cuts the connection phase, not a slow server", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  const tls = {
    cert: await Deno.readTextFile(pki.serverPem),
    key: await Deno.readTextFile(pki.serverKey),
  };
  const connections = new Set<number>();
  await using slowTls = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...tls },
    async (request, info) => {
      connections.add(info.remoteAddr.port);
      const wait = Number(new URL(request.url).searchParams.get("wait") ?? 0);
      await delay(wait);
      return new Response(`waited ${wait}`);
    },
  );
  await using silent = silentListener();
  await using slowPlain = rawServer(async (conn) => {
    await readHead(conn);
    await delay(900);
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nslow");
  });
  const slowTlsUrl = `https://localhost:${slowTls.addr.port}/`;

  await t.step(
    "TLS never completes: 2300028 at connectTimeout naming the phase, on the engine and the relay",
    async () => {
      using req = createHttp();
      // TLS control always takes https to the engine; HTTP/2 stays on fetch, which enforces the
      // connect limit through the loopback relay.
      const paths: http.HttpRequestOptions[] = [
        { remoteValidation: "system" },
        { usingProtocol: http.HttpProtocol.HTTP2 },
      ];
      for (const path of paths) {
        const start = performance.now();
        const err = await failure(
          req.request(`https://127.0.0.1:${silent.port}/`, {
            connectTimeout: 300,
            readTimeout: 10_000,
            ...path,
          }),
        );
        const elapsed = performance.now() - start;
        assert.equal(err.code, 2300028, err.message);
        assert.match(
          err.message,
          /no connection to 127\.0\.0\.1:\d+ within 300 ms \(TCP up, TLS handshake not done\)/,
        );
        assert.ok(elapsed >= 280 && elapsed < 3_000, `failed after ${elapsed} ms`);
      }
    },
  );

  await t.step("the same in requestInStream", async () => {
    using req = createHttp();
    const err = await failure(
      req.requestInStream(`https://127.0.0.1:${silent.port}/`, {
        connectTimeout: 200,
        readTimeout: 0,
      }),
    );
    assert.equal(err.code, 2300028, err.message);
  });

  await t.step("slow-but-connected https server: not failed by connectTimeout", async () => {
    using req = createHttp();
    const start = performance.now();
    const res = await req.request(`${slowTlsUrl}?wait=900`, {
      caPath: pki.caPem,
      connectTimeout: 300,
      readTimeout: 10_000,
    });
    assert.equal(res.result, "waited 900");
    assert.ok(performance.now() - start >= 850);
    // The relay measured the connection: name lookup, TCP, then TLS, before the answer.
    const timing = res.performanceTiming;
    assert.ok(0 < timing.dnsTiming && timing.dnsTiming <= timing.tcpTiming, JSON.stringify(timing));
    assert.ok(timing.tcpTiming <= timing.tlsTiming, JSON.stringify(timing));
    assert.ok(timing.tlsTiming < 300, JSON.stringify(timing));
    assert.ok(timing.firstReceiveTiming >= 850, JSON.stringify(timing));
  });

  await t.step("slow-but-connected plain http server: not failed by connectTimeout", async () => {
    using req = createHttp();
    const res = await req.request(slowPlain.url, { connectTimeout: 200, readTimeout: 10_000 });
    assert.equal(res.result, "slow");
    assert.equal(res.performanceTiming.tlsTiming, 0);
    assert.ok(res.performanceTiming.tcpTiming > 0);
  });

  await t.step(
    "readTimeout still limits a silent TLS listener when connectTimeout is off",
    async () => {
      using req = createHttp();
      const err = await failure(
        req.request(`https://127.0.0.1:${silent.port}/`, { connectTimeout: 0, readTimeout: 300 }),
      );
      assert.equal(err.code, 2300028);
      assert.match(err.message, /no complete response within 300 ms/);
    },
  );

  await t.step(
    "a refused connection is 2300007 with the real reason, on the engine and the relay",
    async () => {
      using req = createHttp();
      const port = closedPort();
      const url = `http://127.0.0.1:${port}/`;
      const engine = await (async () => {
        using _engine = onEngine();
        return await failure(req.request(url, { connectTimeout: 500 }));
      })();
      assert.equal(engine.code, 2300007, engine.message);
      assert.match(engine.message, new RegExp(`Connection refused \\(127\\.0\\.0\\.1:${port}\\)`));
      const relayed = await failure(
        req.request(url, { connectTimeout: 500, usingProtocol: http.HttpProtocol.HTTP2 }),
      );
      assert.equal(relayed.code, 2300007, relayed.message);
      assert.match(relayed.message, /127\.0\.0\.1:\d+: .*refused/i);
    },
  );

  await t.step("one client per configuration: its connection is reused", async () => {
    using req = createHttp();
    connections.clear();
    const options = { caPath: pki.caPem, connectTimeout: 2_000, readTimeout: 10_000 };
    const first = await req.request(`${slowTlsUrl}?wait=0`, options);
    const second = await req.request(`${slowTlsUrl}?wait=0`, options);
    assert.equal(first.responseCode, 200);
    assert.equal(second.responseCode, 200);
    assert.equal(connections.size, 1, "both requests on one connection");
    assert.ok(first.performanceTiming.tcpTiming > 0);
    assert.equal(second.performanceTiming.tcpTiming, 0, "a reused connection has no TCP phase");
  });
});

Deno.test("transport client pool: default requests use plain fetch; settings get pooled clients", async () => {
  const pool = new ClientPool();
  const signal = new AbortController().signal;
  const core = async (options: http.HttpRequestOptions) =>
    (await resolveRequest("http://127.0.0.1:1/", options, "buffer", signal, performance.now()))
      .core;
  try {
    const plain = pool.route(await core({}), new URL("http://127.0.0.1:1/"));
    assert.ok(!(plain instanceof Promise), "no client to build on the default path");
    assert.equal(plain.client, undefined);
    assert.equal(plain.enforcesConnectTimeout, false);
    // The seed's example values (both 60 s) need no relay either.
    const same = pool.route(
      await core({ connectTimeout: 60_000, readTimeout: 60_000, usingProxy: false }),
      new URL("http://127.0.0.1:1/"),
    );
    assert.equal((same as { client?: unknown }).client, undefined);

    const limited = await core({ connectTimeout: 1_000 });
    const a = await pool.route(limited, new URL("http://127.0.0.1:1/"));
    const b = await pool.route(limited, new URL("http://127.0.0.1:2/"));
    assert.ok(a.client, "a relayed client");
    assert.equal(a.client, b.client, "pooled by configuration");
    assert.equal(a.enforcesConnectTimeout, true);
    const h1 = await pool.route(await core({ usingProtocol: 0 }), new URL("http://127.0.0.1:1/"));
    assert.ok(h1.client && h1.client !== a.client);
  } finally {
    pool.close();
  }
});

Deno.test("transport: destroy() while connecting closes the connection, the relay and its clients", async () => {
  await using silent = silentListener();
  // On the engine (TLS control always goes there), and relayed (HTTP/2 stays on fetch).
  const paths: http.HttpRequestOptions[] = [
    { remoteValidation: "system" },
    { usingProtocol: http.HttpProtocol.HTTP2 },
  ];
  for (const path of paths) {
    const req = http.createHttp();
    const pending = failure(
      req.request(`https://127.0.0.1:${silent.port}/`, {
        connectTimeout: 5_000,
        readTimeout: 0,
        ...path,
      }),
    );
    await delay(100);
    req.destroy();
    const err = await pending;
    assert.equal(err.code, 2300023);
  }
});
