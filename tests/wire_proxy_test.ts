// Proxies on the socket-level path against real proxies on loopback: tinyproxy (HTTP CONNECT
// tunnels, absolute-form requests, Basic credentials), Debian's dante (SOCKS5 without
// authentication) and the repo's loopback relay as a SOCKS5 server that wants a user name and
// password (RFC 1929) and resolves names the client cannot. TLS runs end to end inside tunnels.

import assert from "node:assert/strict";
import { SocksRelay } from "../src/core/relay.ts";
import type { ProxyServer } from "../src/core/request.ts";
import { optionsConnector } from "../src/core/wire/options_connector.ts";
import { closedPort, testWith } from "./_helpers.ts";
import { DNSMASQ, makePki, startDnsmasq, startTinyproxy, TINYPROXY } from "./_transport_servers.ts";
import { text, wireRequest, wireTransport } from "./_wire_helpers.ts";
import {
  BASE_OPTIONS,
  connectorFailure,
  connectorGet,
  DANTED,
  PYTHON,
  spkiPin,
  startDanted,
  startTlsConnectProxy,
  startTlsServer,
  tlsControl,
} from "./_wire_servers.ts";
import { OPENSSL } from "./_tls.ts";

function proxy(url: string, o: Partial<ProxyServer> = {}): ProxyServer {
  return { url: new URL(url), exclusionList: [], credentials: null, ...o };
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  dns: testWith(DNSMASQ, OPENSSL, PYTHON, TINYPROXY),
  dante: testWith(DANTED, OPENSSL, PYTHON),
};

test.dns("wire proxies: CONNECT and absolute form through tinyproxy, with and without credentials", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  await using open = await startTinyproxy();
  await using guarded = await startTinyproxy({ username: "alice", password: "wonder-land" });
  await using secure = await startTlsServer({ cert: pki.serverPem, key: pki.serverKey });
  if (!open || !guarded || !secure) return;
  const seen: string[] = [];
  await using plain = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(`${new URL(request.url).pathname} ${request.headers.get("proxy-authorization")}`);
    return new Response("plain");
  });
  const secureTarget = { hostname: "localhost", port: secure.port, secure: true };
  const plainTarget = { hostname: "127.0.0.1", port: plain.addr.port, secure: false };
  const alice = { username: "alice", password: "wonder-land" };

  await t.step(
    "https: a CONNECT tunnel, TLS verified end to end with the target's name",
    async () => {
      const ok = await connectorGet(secureTarget, {
        caPath: pki.caPem,
        proxy: proxy(`http://127.0.0.1:${open.port}`),
      });
      assert.equal(ok.status, 200);
      assert.match(ok.body, /^sni=localhost /);
      assert.equal(ok.facts.viaProxy, true);
      assert.equal(ok.facts.remotePort, open.port, "the socket's peer is the proxy");
      assert.equal(ok.facts.tlsVersion, "TLSv1.3");
      assert.ok((await open.requests()).includes(`CONNECT localhost:${secure.port}`));
    },
  );

  await t.step("https: pins and a verification callback apply inside the tunnel", async () => {
    const pin = await spkiPin(pki.serverPem);
    let called = false;
    const ok = await connectorGet(secureTarget, {
      caPath: pki.caPem,
      proxy: proxy(`http://127.0.0.1:${open.port}`),
      tls: tlsControl({
        pins: [pin],
        verify: (peer) => (called = peer.hostname === "localhost"),
      }),
    });
    assert.equal(ok.status, 200);
    assert.ok(called);
    const wrong = await connectorFailure(secureTarget, {
      caPath: pki.caPem,
      proxy: proxy(`http://127.0.0.1:${open.port}`),
      tls: tlsControl({ pins: [await spkiPin(pki.caPem)] }),
    });
    assert.equal(wrong.code, "TLS_PIN");
  });

  await t.step(
    "an https: proxy: TLS to it, CONNECT inside, TLS to the target inside that",
    async () => {
      await using tlsProxy = startTlsConnectProxy(
        await Deno.readTextFile(pki.serverPem),
        await Deno.readTextFile(pki.serverKey),
      );
      const ok = await connectorGet(secureTarget, {
        caPath: pki.caPem,
        proxy: proxy(`https://localhost:${tlsProxy.port}`),
        tls: tlsControl({ pins: [await spkiPin(pki.serverPem)] }),
      });
      assert.equal(ok.status, 200);
      assert.match(ok.body, /^sni=localhost version=TLSv1\.3 /);
      assert.deepEqual(tlsProxy.tunnels, [`CONNECT localhost:${secure.port} HTTP/1.1`]);
      // The proxy's own certificate is verified too.
      const untrusted = await connectorFailure(secureTarget, {
        proxy: proxy(`https://localhost:${tlsProxy.port}`),
        tls: tlsControl({ verify: "skip" }),
      });
      assert.equal(untrusted.code, "TLS_PEER");
    },
  );

  await t.step(
    "https: Basic credentials open the guarded proxy; none is a refused tunnel",
    async () => {
      const ok = await connectorGet(secureTarget, {
        caPath: pki.caPem,
        proxy: proxy(`http://127.0.0.1:${guarded.port}`, { credentials: alice }),
      });
      assert.equal(ok.status, 200);
      const refused = await connectorFailure(secureTarget, {
        caPath: pki.caPem,
        proxy: proxy(`http://127.0.0.1:${guarded.port}`),
      });
      assert.equal(refused.code, "RECEIVE_FAILED");
      assert.match(refused.message, /407/);
      const wrong = await connectorFailure(secureTarget, {
        caPath: pki.caPem,
        proxy: proxy(`http://127.0.0.1:${guarded.port}`, {
          credentials: { username: "alice", password: "nope" },
        }),
      });
      assert.equal(wrong.code, "RECEIVE_FAILED");
      assert.doesNotMatch(wrong.message, /nope/, "the password never appears in a message");
    },
  );

  await t.step(
    "http: absolute-form requests through the engine, credentials to the proxy only",
    async () => {
      using transport = wireTransport({
        ...BASE_OPTIONS,
        proxy: proxy(`http://127.0.0.1:${guarded.port}`, { credentials: alice }),
      });
      seen.length = 0;
      const response = await transport.send(
        wireRequest(`http://127.0.0.1:${plain.addr.port}/through?x=1`),
      );
      assert.equal(response.status, 200);
      assert.equal(await text(response), "plain");
      assert.equal(response.connection?.viaProxy, true);
      assert.deepEqual(seen, ["/through null"], "the proxy took Proxy-Authorization off");
      assert.ok(
        (await guarded.requests()).includes(`GET http://127.0.0.1:${plain.addr.port}/through?x=1`),
      );
    },
  );

  await t.step("http: without credentials the guarded proxy answers 407 itself", async () => {
    const answer = await connectorGet(plainTarget, {
      proxy: proxy(`http://127.0.0.1:${guarded.port}`),
    });
    assert.equal(answer.status, 407);
  });

  await t.step(
    '"environment": HTTP_PROXY/HTTPS_PROXY read when connecting; NO_PROXY goes direct',
    async () => {
      const names = ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"];
      const lower = names.map((name) => name.toLowerCase());
      const saved = [...names, ...lower].map((name) => [name, Deno.env.get(name)] as const);
      for (const [name] of saved) Deno.env.delete(name);
      Deno.env.set("HTTP_PROXY", `http://alice:wonder-land@127.0.0.1:${guarded.port}`);
      Deno.env.set("HTTPS_PROXY", `http://alice:wonder-land@127.0.0.1:${guarded.port}`);
      Deno.env.set("NO_PROXY", "localhost");
      try {
        const environment = { proxy: "environment" as const };
        assert.equal(
          optionsConnector.accepts(plainTarget, { ...BASE_OPTIONS, ...environment }),
          true,
        );
        const before = (await guarded.requests()).length;
        const viaEnv = await connectorGet(plainTarget, environment, "/from-env");
        assert.equal(viaEnv.status, 200);
        assert.equal(viaEnv.facts.viaProxy, true);
        const tunnelled = await connectorGet({ ...secureTarget, hostname: "127.0.0.1" }, {
          ...environment,
          caPath: pki.caPem,
        });
        assert.equal(tunnelled.status, 200);
        const direct = await connectorGet({ ...plainTarget, hostname: "localhost" }, environment);
        assert.equal(direct.facts.viaProxy, false, "NO_PROXY=localhost");
        assert.deepEqual((await guarded.requests()).slice(before), [
          `GET http://127.0.0.1:${plain.addr.port}/from-env`,
          `CONNECT 127.0.0.1:${secure.port}`,
        ]);
      } finally {
        for (const [name, value] of saved) {
          if (value === undefined) Deno.env.delete(name);
          else Deno.env.set(name, value);
        }
      }
    },
  );

  await t.step("the exclusion list sends a matching host direct", async () => {
    const dead = proxy(`http://127.0.0.1:${closedPort()}`, { exclusionList: ["127.0.0.*"] });
    assert.equal(optionsConnector.accepts(plainTarget, { ...BASE_OPTIONS, proxy: dead }), false);
    const ok = await connectorGet(plainTarget, { proxy: dead });
    assert.equal(ok.status, 200);
    assert.equal(ok.facts.viaProxy, false);
  });

  await t.step("an unreachable proxy is CONNECT_FAILED naming the proxy", async () => {
    const port = closedPort();
    const error = await connectorFailure(plainTarget, { proxy: proxy(`http://127.0.0.1:${port}`) });
    assert.equal(error.code, "CONNECT_FAILED");
    assert.match(error.message, new RegExp(`proxy http://127\\.0\\.0\\.1:${port}`));
  });

  await t.step("a proxy name that does not resolve is PROXY_UNRESOLVED", async () => {
    await using dnsmasq = await startDnsmasq();
    if (!dnsmasq) return;
    const error = await connectorFailure(plainTarget, {
      proxy: proxy(`http://nowhere.test:${open.port}`),
      dns: { servers: [{ address: "127.0.0.1", port: dnsmasq.port }] },
    });
    assert.equal(error.code, "PROXY_UNRESOLVED");
  });
});

test.dante("wire proxies: SOCKS5 through dante and through a relay that wants credentials", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  await using dante = await startDanted();
  await using secure = await startTlsServer({ cert: pki.serverPem, key: pki.serverKey });
  if (!dante || !secure) return;
  await using plain = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("plain"),
  );
  const socks = proxy(`socks5://127.0.0.1:${dante.port}`);

  await t.step("dante: http and https targets by name; TLS verified end to end", async () => {
    const a = await connectorGet({ hostname: "localhost", port: plain.addr.port, secure: false }, {
      proxy: socks,
    });
    assert.equal(a.status, 200);
    assert.equal(a.body, "plain");
    assert.equal(a.facts.viaProxy, true);
    assert.equal(a.facts.requestTarget, "origin", "a SOCKS tunnel carries origin-form requests");
    const b = await connectorGet({ hostname: "localhost", port: secure.port, secure: true }, {
      proxy: socks,
      caPath: pki.caPem,
      tls: tlsControl({ pins: [await spkiPin(pki.serverPem)] }),
    });
    assert.equal(b.status, 200);
    assert.match(b.body, /^sni=localhost /);
    assert.match(await dante.log(), new RegExp(`pass\\(1\\): tcp/connect`));
  });

  await t.step("dante: the engine sends requests through it", async () => {
    using transport = wireTransport({ ...BASE_OPTIONS, proxy: socks });
    const response = await transport.send(wireRequest(`http://localhost:${plain.addr.port}/`));
    assert.equal(await text(response), "plain");
    assert.equal(response.connection?.viaProxy, true);
  });

  await t.step("a SOCKS5 server that wants credentials: right, missing, wrong", async () => {
    const relay = new SocksRelay();
    try {
      // The relay resolves only-proxy.test, a name this process cannot resolve: socks5h.
      const credentials = relay.register({
        resolver: {
          resolve: (host) => Promise.resolve(host === "only-proxy.test" ? ["127.0.0.1"] : [host]),
        },
        connectTimeout: 0,
      });
      const url = relay.url.replace("socks5h:", "socks5:");
      const to = { hostname: "only-proxy.test", port: plain.addr.port, secure: false };
      const ok = await connectorGet(to, { proxy: proxy(url, { credentials }) });
      assert.equal(ok.status, 200);
      assert.equal(ok.body, "plain");
      const missing = await connectorFailure(to, { proxy: proxy(url) });
      assert.equal(missing.code, "CONNECT_FAILED");
      assert.match(missing.message, /authentication/);
      const wrong = await connectorFailure(to, {
        proxy: proxy(url, { credentials: { ...credentials, password: "wrong" } }),
      });
      assert.equal(wrong.code, "CONNECT_FAILED");
      assert.match(wrong.message, /refused the user name and password/);
      // An IPv6 literal goes to the proxy as an address (ATYP 4), not as a name.
      await using v6 = Deno.serve(
        { hostname: "::1", port: 0, onListen() {} },
        () => new Response("over v6"),
      );
      const six = await connectorGet({ hostname: "::1", port: v6.addr.port, secure: false }, {
        proxy: proxy(url, { credentials }),
      });
      assert.equal(six.body, "over v6");
    } finally {
      relay.close();
    }
  });

  await t.step("a target the SOCKS5 proxy cannot reach is CONNECT_FAILED", async () => {
    const error = await connectorFailure({
      hostname: "127.0.0.1",
      port: closedPort(),
      secure: false,
    }, {
      proxy: socks,
    });
    assert.equal(error.code, "CONNECT_FAILED");
    assert.match(error.message, /SOCKS5 proxy/);
  });
});
