// The transport router (src/core/router.ts): which transport carries a hop,
// that every method (TRACE included) gets its request's proxy and trust, and
// that a request needing what the chosen transport cannot do is refused with
// NOT_SUPPORTED naming the option, never sent without it.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { NetError } from "../src/core/errors.ts";
import { FetchTransport } from "../src/core/fetch_transport.ts";
import type { CoreRequest, TransportOptions } from "../src/core/request.ts";
import { TransportRouter, useSocketByDefault, useSocketForHttps } from "../src/core/router.ts";
import { http1TransportFactory } from "../src/core/wire/http1_transport.ts";
import { systemResolver } from "../src/core/dns.ts";
import type { TlsControl, Transport, TransportSettings } from "../src/core/transport.ts";
import { createHttp, failure, testWith } from "./_helpers.ts";
import { makePki, startTinyproxy, TINYPROXY } from "./_transport_servers.ts";
import { OPENSSL } from "./_tls.ts";
import { tlsControl } from "./_wire_servers.ts";

const DIRECT: TransportOptions = {
  caPath: null,
  clientCert: null,
  proxy: "direct",
  dns: null,
  exactConnectTimeout: false,
};

function request(init: Partial<CoreRequest> = {}): CoreRequest {
  return {
    url: new URL("http://127.0.0.1:1/"),
    method: "GET",
    headers: new Headers(),
    body: null,
    totalTimeout: 0,
    connectTimeout: 0,
    maxBodySize: 1 << 20,
    protocol: "auto",
    maxRedirects: 0,
    bodyMode: "buffer",
    priority: 1,
    cookies: null,
    startTime: performance.now(),
    signal: null,
    ...init,
  };
}

async function kindOf(router: TransportRouter, req: CoreRequest): Promise<string> {
  const routed = router.route(req, req.url);
  return (routed instanceof Promise ? await routed : routed).kind;
}

function refusal(fn: () => unknown): NetError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof NetError, String(error));
    return error;
  }
  throw new Error("expected a refusal");
}

const PINNED: TlsControl = tlsControl({ pins: ["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="] });

/** A router whose socket transport is a stand-in that records routes and sends nothing. */
function standInRouter(): { router: TransportRouter; stand: Transport } {
  const router = new TransportRouter();
  const stand: Transport = {
    kind: "socket",
    send: () => Promise.reject(new Error("unused")),
    close() {},
  };
  router.register("socket", () => stand);
  return { router, stand };
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  proxy: testWith(OPENSSL, TINYPROXY),
};

Deno.test("router: which transport carries a hop, with fetch as the default path", async () => {
  const before = useSocketByDefault(false);
  const { router } = standInRouter();
  try {
    const plain = router.route(request(), new URL("http://127.0.0.1:1/"));
    assert.ok(plain instanceof FetchTransport, "the default path: no promise, no lookup");
    assert.equal(plain.kind, "fetch");
    assert.equal(plain.client, undefined);
    for (const method of ["TRACE", "TRACK", "CONNECT", "trace"]) {
      assert.equal(await kindOf(router, request({ method })), "socket", method);
    }
    const tls = { ...DIRECT, tls: PINNED };
    assert.equal(await kindOf(router, request({ transport: tls })), "socket");
    assert.equal(
      await kindOf(router, request({ transport: { ...DIRECT, prefer: "socket" } })),
      "socket",
    );
    const servers = { ...DIRECT, dns: { servers: [{ address: "127.0.0.1", port: 53 }] } };
    assert.equal(await kindOf(router, request({ transport: servers })), "relay");
    assert.equal(
      await kindOf(router, request({ transport: { ...DIRECT, addressFamily: 4 } })),
      "relay",
    );
    const exact = request({
      transport: { ...DIRECT, exactConnectTimeout: true },
      connectTimeout: 1_000,
      totalTimeout: 5_000,
    });
    assert.equal(await kindOf(router, exact), "relay");
    assert.equal(
      await kindOf(router, request({ transport: { ...DIRECT, prefer: "relay" } })),
      "relay",
    );
    assert.equal(await kindOf(router, request({ transport: DIRECT })), "fetch");
  } finally {
    router.close();
    useSocketByDefault(before);
  }
});

Deno.test("router: with the engine as the default, http and https hops that HTTP/1.1 suits go to it", async () => {
  const before = useSocketByDefault(true);
  const { router, stand } = standInRouter();
  try {
    const plain = new URL("http://127.0.0.1:1/");
    assert.equal(await kindOf(router, request({ url: plain })), "socket");
    // Built once: later hops get it without a promise.
    assert.equal(router.route(request({ url: plain }), plain), stand);
    const secure = new URL("https://127.0.0.1:1/");
    assert.equal(await kindOf(router, request({ url: secure })), "socket");
    assert.equal(await kindOf(router, request({ url: secure, transport: DIRECT })), "socket");
    // https can be kept on fetch (benchmarks comparing the paths).
    const httpsBefore = useSocketForHttps(false);
    try {
      assert.equal(await kindOf(router, request({ url: secure, transport: DIRECT })), "fetch");
      assert.equal(await kindOf(router, request({ transport: DIRECT })), "socket");
    } finally {
      useSocketForHttps(httpsBefore);
    }
    assert.equal(await kindOf(router, request({ transport: DIRECT })), "socket");
    const servers = { ...DIRECT, dns: { servers: [{ address: "127.0.0.1", port: 53 }] } };
    assert.equal(await kindOf(router, request({ transport: servers })), "socket");
    assert.equal(
      await kindOf(router, request({ transport: { ...DIRECT, addressFamily: 4 } })),
      "socket",
    );
    // HTTP/2, extra CAs and streamed bodies (fetch reads large ones faster) stay on fetch;
    // a forced transport is kept.
    assert.equal(await kindOf(router, request({ protocol: "http2" })), "fetch");
    assert.equal(await kindOf(router, request({ bodyMode: "stream" })), "fetch");
    assert.equal(
      await kindOf(
        router,
        request({ bodyMode: "stream", transport: { ...DIRECT, prefer: "socket" } }),
      ),
      "socket",
    );
    assert.equal(await kindOf(router, request({ transport: { ...DIRECT, caData: "x" } })), "fetch");
    assert.equal(
      await kindOf(router, request({ transport: { ...DIRECT, prefer: "fetch" } })),
      "fetch",
    );
  } finally {
    router.close();
    useSocketByDefault(before);
  }
});

Deno.test("router: equal settings in new objects share one socket transport, different ones never", async () => {
  const before = useSocketByDefault(true);
  const router = new TransportRouter();
  const built: TransportSettings[] = [];
  router.register("socket", (settings) => {
    built.push(settings);
    return { kind: "socket", send: () => Promise.reject(new Error("unused")), close() {} };
  });
  const route = async (
    transport: TransportOptions | undefined,
    init: Partial<CoreRequest> = {},
  ) => {
    const routed = router.route(request({ transport, ...init }), new URL("http://127.0.0.1:1/"));
    return routed instanceof Promise ? await routed : routed;
  };
  try {
    const first = await route({ ...DIRECT, reuseConnections: true });
    // A new object with the same values: the same transport, synchronously (no key per request).
    const again = router.route(
      request({ transport: { ...DIRECT, reuseConnections: true } }),
      new URL("http://127.0.0.1:1/"),
    );
    assert.equal(again, first);
    const variants: [string, TransportOptions | undefined, Partial<CoreRequest>][] = [
      ["no options", undefined, {}],
      ["reuseConnections", { ...DIRECT, reuseConnections: false }, {}],
      [
        "idleConnectionTimeout",
        { ...DIRECT, reuseConnections: true, idleConnectionTimeout: 5 },
        {},
      ],
      ["addressFamily", { ...DIRECT, reuseConnections: true, addressFamily: 6 }, {}],
      ["proxy", { ...DIRECT, reuseConnections: true, proxy: "environment" }, {}],
      ["caPath", { ...DIRECT, reuseConnections: true, caPath: "/a|b", prefer: "socket" }, {}],
      ["caPath 2", { ...DIRECT, reuseConnections: true, caPath: "/a", prefer: "socket" }, {}],
      ["prefer", { ...DIRECT, reuseConnections: true, prefer: "socket" }, {}],
      ["exact limit", { ...DIRECT, reuseConnections: true, exactConnectTimeout: true }, {
        connectTimeout: 1_000,
      }],
      ["tls", { ...DIRECT, reuseConnections: true, tls: PINNED }, {}],
      ["tls 2", { ...DIRECT, reuseConnections: true, tls: { ...PINNED, pins: [] } }, {}],
    ];
    const seen = new Map<Transport, string>([[first, "first"]]);
    for (const [name, transport, init] of variants) {
      const got = await route(transport, init);
      assert.ok(!seen.has(got), `${name} got the transport of ${seen.get(got)}`);
      seen.set(got, name);
      assert.equal(await route(transport && { ...transport }, init), got, `${name} again`);
    }
    assert.equal(built.length, variants.length + 1);
  } finally {
    router.close();
    useSocketByDefault(before);
  }
});

Deno.test("router: release() closes transports that hold something and keeps socket ones of plain settings", async () => {
  const before = useSocketByDefault(true);
  const router = new TransportRouter();
  const built: string[] = [];
  const closed: string[] = [];
  router.register("socket", (settings) => {
    const name = settings.options?.tls ? "tls" : "plain";
    built.push(name);
    return {
      kind: "socket",
      send: () => Promise.reject(new Error("unused")),
      close: () => void closed.push(name),
    };
  });
  const route = async (transport: TransportOptions) => {
    const routed = router.route(request({ transport }), new URL("http://127.0.0.1:1/"));
    return routed instanceof Promise ? await routed : routed;
  };
  try {
    const plain = await route({ ...DIRECT });
    const pinned = await route({ ...DIRECT, tls: PINNED });
    // The last face object let go (a request object per request does so all the time).
    router.release();
    await Promise.resolve();
    assert.deepEqual(closed, ["tls"], "a transport with TLS control is closed, a plain one is not");
    assert.equal(
      await route({ ...DIRECT }),
      plain,
      "the plain transport is used again, not rebuilt",
    );
    assert.notEqual(await route({ ...DIRECT, tls: PINNED }), pinned, "the other one is rebuilt");
    assert.deepEqual(built, ["plain", "tls", "tls"]);
    // A new factory replaces every transport, plain ones too.
    router.register("socket", () => ({
      kind: "socket",
      send: () => Promise.reject(new Error("unused")),
      close() {},
    }));
    assert.notEqual(await route({ ...DIRECT }), plain);
  } finally {
    router.close();
    useSocketByDefault(before);
  }
});

Deno.test("router: with a warm-up, the first default requests go to fetch while the engine loads", async () => {
  const before = useSocketByDefault(true, 2);
  const { router } = standInRouter();
  try {
    assert.equal(await kindOf(router, request()), "fetch");
    assert.equal(await kindOf(router, request()), "fetch"); // the last one starts the load
    // Forced and fetch-only requests are routed as always meanwhile.
    assert.equal(await kindOf(router, request({ method: "TRACE" })), "socket");
    let kind = "fetch";
    for (let turn = 0; turn < 100 && kind === "fetch"; turn++) {
      await new Promise((resolve) => AbortSignal.timeout(5).onabort = resolve);
      kind = await kindOf(router, request());
    }
    assert.equal(kind, "socket", "the engine takes default requests once it has loaded");
  } finally {
    router.close();
    useSocketByDefault(before);
  }
});

Deno.test("router: a forced transport that cannot honour the request refuses it, naming the option", () => {
  const router = new TransportRouter();
  try {
    const servers = { ...DIRECT, dns: { servers: [{ address: "127.0.0.1", port: 53 }] } };
    const dns = refusal(() =>
      router.route(
        request({ transport: { ...servers, prefer: "fetch" } }),
        new URL("http://a.test/"),
      )
    );
    assert.equal(dns.code, "NOT_SUPPORTED");
    assert.equal(dns.details.field, "dns");
    const trace = refusal(() =>
      router.route(
        request({ method: "TRACE", transport: { ...DIRECT, prefer: "fetch" } }),
        new URL("http://a.test/"),
      )
    );
    assert.equal(trace.details.field, "method");
    const proxied = {
      ...DIRECT,
      proxy: { url: new URL("http://127.0.0.1:3128"), exclusionList: [], credentials: null },
      prefer: "relay" as const,
    };
    assert.equal(
      refusal(() => router.route(request({ transport: proxied }), new URL("http://a.test/")))
        .details.field,
      "proxy",
    );
  } finally {
    router.close();
  }
});

Deno.test("router: the socket transport refuses HTTP/2 and takes TLS control and SOCKS", async () => {
  const settings = (init: Partial<TransportSettings>): TransportSettings => ({
    protocol: "auto",
    options: DIRECT,
    proxy: "direct",
    connectTimeout: 0,
    ...init,
  });
  const context = { resolver: systemResolver };
  await assert.rejects(
    Promise.resolve().then(() => http1TransportFactory(settings({ protocol: "http2" }), context)),
    (error: NetError) => error.code === "NOT_SUPPORTED" && error.details.field === "protocol",
  );
  const socks = { url: new URL("socks5://127.0.0.1:1080"), exclusionList: [], credentials: null };
  for (const init of [{ options: { ...DIRECT, tls: PINNED } }, { proxy: socks }]) {
    const transport = await http1TransportFactory(settings(init), context);
    assert.equal(transport.kind, "socket");
    transport.close();
  }
});

test.proxy("router: TRACE goes through the request's HTTP proxy (absolute form; CONNECT for https)", async () => {
  await using pki = await makePki();
  if (!pki) return;
  await using proxy = await startTinyproxy();
  if (!proxy) return;
  const seen: string[] = [];
  const answer = (req: Request) => {
    seen.push(`${req.method} ${new URL(req.url).pathname}`);
    return new Response(`${req.method} echoed`, { headers: { "content-type": "message/http" } });
  };
  await using target = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, answer);
  await using secure = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    cert: await Deno.readTextFile(pki.serverPem),
    key: await Deno.readTextFile(pki.serverKey),
  }, answer);
  const usingProxy = { host: "127.0.0.1", port: proxy.port };
  using req = createHttp();
  const plainUrl = `http://127.0.0.1:${target.addr.port}/trace`;
  const res = await req.request(plainUrl, { method: http.RequestMethod.TRACE, usingProxy });
  assert.equal(res.responseCode, 200);
  assert.equal(res.result, "TRACE echoed");
  const tls = await req.request(`https://127.0.0.1:${secure.addr.port}/trace-tls`, {
    method: http.RequestMethod.TRACE,
    usingProxy,
    caPath: pki.caPem,
  });
  assert.equal(tls.result, "TRACE echoed");
  const logged = await proxy.requests();
  assert.ok(logged.includes(`TRACE ${plainUrl}`), logged.join("\n"));
  assert.ok(logged.includes(`CONNECT 127.0.0.1:${secure.addr.port}`), logged.join("\n"));
  assert.deepEqual(seen, ["TRACE /trace", "TRACE /trace-tls"]);

  // Without the CA the tunnelled TLS fails verification: the trust setting applied to TRACE too.
  const untrusted = await failure(
    req.request(`https://127.0.0.1:${secure.addr.port}/trace-tls`, {
      method: http.RequestMethod.TRACE,
      usingProxy,
    }),
  );
  assert.equal(untrusted.code, 2300060, untrusted.message);
  assert.equal(seen.length, 2, "nothing reached the server without trust");
});
