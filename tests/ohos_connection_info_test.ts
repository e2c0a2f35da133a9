// HttpResponse.connectionExtraInfo from what the transport observed: real addresses, ports,
// reuse, TLS version and cipher on the socket-level path (a TLS Deno.serve reached with a
// validation callback; plain http, the default), the documented unknowns on the fetch path,
// redirects, cache hits; and the ValidationContext the callback is given.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { useSocketByDefault } from "../src/core/router.ts";
import { createHttp, onEngine, serve } from "./_helpers.ts";
import { certDir, makeCa, makeCert, OPENSSL } from "./_tls.ts";
import { testWith } from "./_helpers.ts";

testWith(OPENSSL)(
  "socket-level path: addresses, ports, reuse, TLS version and cipher; the ValidationContext",
  async () => {
    await using dir = await certDir("ohos-extra-");
    const ca = await makeCa(dir!.path, "ca", { cn: "Extra Info CA" });
    const leaf = await makeCert(dir!.path, "leaf", ca, { cn: "localhost", san: "IP:127.0.0.1" });
    const peers: Array<{ port: number }> = [];
    await using server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(leaf.pem),
      key: await Deno.readTextFile(leaf.key),
      onListen() {},
    }, (_request, info) => {
      peers.push({ port: info.remoteAddr.port });
      return new Response("tls");
    });
    const contexts: http.ValidationContext[] = [];
    const options: http.HttpRequestOptions = {
      caData: await Deno.readTextFile(ca.pem),
      remoteValidation: (context) => {
        contexts.push(context);
        return true;
      },
    };
    using req = createHttp();
    const url = `https://127.0.0.1:${server.addr.port}/`;
    const first = await req.request(url, options);
    const second = await req.request(url, options);
    assert.equal(first.result, "tls");
    const info = first.connectionExtraInfo!;
    assert.equal(info.networkProtocolName, "HTTP/1.1");
    assert.equal(info.remoteAddress, "127.0.0.1");
    assert.equal(info.remotePort, server.addr.port);
    assert.equal(info.localAddress, "127.0.0.1");
    assert.equal(info.localPort, peers[0]!.port, "the port the server saw");
    assert.equal(info.tlsVersion, http.TlsVersion.TLS_V_1_3);
    assert.ok(info.cipherSuite?.startsWith("TLS_"), info.cipherSuite);
    assert.equal(info.isReusedConnection, false);
    assert.equal(info.isProxyConnection, false);
    assert.equal(info.isCacheHit, false);
    assert.equal(info.redirectCount, 0);
    assert.equal(second.connectionExtraInfo!.isReusedConnection, true);
    assert.equal(second.connectionExtraInfo!.localPort, info.localPort);

    const context = contexts[0]!;
    assert.equal(context.host, "127.0.0.1");
    assert.equal(context.ip, "127.0.0.1");
    assert.match(context.pemCerts[0]!, /^-----BEGIN CERTIFICATE-----\n/);
    const cert = context.x509Certs[0]!;
    assert.match(new TextDecoder().decode(cert.getSubjectName().data), /CN=localhost/);
    assert.match(new TextDecoder().decode(cert.getIssuerName().data), /CN=Extra Info CA/);
    assert.equal(cert.getVersion(), 3);
    assert.match(cert.getNotAfterTime(), /^\d{12}Z$/);
    assert.equal((await cert.getEncoded()).data[0], 0x30, "DER");
  },
);

Deno.test("plain http on the engine (the default): addresses, ports, reuse across a redirect", async () => {
  using _engine = onEngine();
  const peers: number[] = [];
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (
    request,
    info,
  ) => {
    peers.push(info.remoteAddr.port);
    return new URL(request.url).pathname === "/hop"
      ? new Response(null, { status: 302, headers: { location: "/end" } })
      : new Response("end");
  });
  using req = createHttp();
  const url = `http://127.0.0.1:${server.addr.port}/hop?${crypto.randomUUID()}`;
  const info = (await req.request(url, { usingCache: false })).connectionExtraInfo!;
  // The final response came on the connection the redirect came on.
  assert.deepEqual(info, {
    networkProtocolName: "HTTP/1.1",
    localAddress: "127.0.0.1",
    remoteAddress: "127.0.0.1",
    localPort: peers[1],
    remotePort: server.addr.port,
    isReusedConnection: true,
    isProxyConnection: false,
    isCacheHit: false,
    redirectCount: 1,
  });
  assert.equal(peers[0], peers[1], "one connection for both hops");
});

Deno.test("fetch path: the documented unknowns; redirects counted; cache hits flagged", async () => {
  const cache = http.createHttpResponseCache(undefined, { location: ":memory:" });
  const before = useSocketByDefault(false);
  try {
    await using server = serve((request) =>
      new URL(request.url).pathname === "/hop"
        ? new Response(null, { status: 302, headers: { location: "/end" } })
        : new Response("end", { headers: { "cache-control": "max-age=60" } })
    );
    using req = createHttp();
    const url = `${server.url}/hop?${crypto.randomUUID()}`;
    const info = (await req.request(url)).connectionExtraInfo!;
    assert.deepEqual(info, {
      networkProtocolName: "Unknown/Non-HTTP",
      localAddress: "",
      remoteAddress: "",
      localPort: 0,
      remotePort: 0,
      isReusedConnection: false,
      isProxyConnection: false,
      isCacheHit: false,
      redirectCount: 1,
    });
    // The redirect's final response was stored under its own URL: the next request is a hit.
    const hit = (await req.request(`${server.url}/end`)).connectionExtraInfo!;
    assert.equal(hit.isCacheHit, true);
    assert.equal(hit.redirectCount, 0);
  } finally {
    useSocketByDefault(before);
    await cache.delete();
  }
});
