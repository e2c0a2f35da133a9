// usingProxy against tinyproxy on loopback: its log shows which requests went
// through it (`GET http://…` for http targets, `CONNECT host:port` for https).
// The environment's proxy variables are set in this process for some steps
// (always pointing at loopback) and restored afterwards.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { useSocketByDefault } from "../src/core/router.ts";
import { closedPort, createHttp, failure, testWith } from "./_helpers.ts";
import { makePki, startTinyproxy, TINYPROXY } from "./_transport_servers.ts";
import { OPENSSL } from "./_tls.ts";

type BusinessError = http.BusinessError;

const ENV_NAMES = [
  "HTTP_PROXY",
  "http_proxy",
  "HTTPS_PROXY",
  "https_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
];

/** Sets proxy variables for the duration of `fn`, then restores every one of them. */
async function withEnvironment(values: Record<string, string>, fn: () => Promise<void>) {
  const saved = ENV_NAMES.map((name) => [name, Deno.env.get(name)] as const);
  for (const name of ENV_NAMES) Deno.env.delete(name);
  for (const [name, value] of Object.entries(values)) Deno.env.set(name, value);
  try {
    await fn();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) Deno.env.delete(name);
      else Deno.env.set(name, value);
    }
  }
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  proxy: testWith(OPENSSL, TINYPROXY),
};

test.proxy("transport proxy: HttpProxy, exclusionList, environment and direct against tinyproxy", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  await using proxy = await startTinyproxy();
  if (!proxy) return;
  await using authProxy = await startTinyproxy({ username: "alice", password: "wonder" });
  if (!authProxy) return;

  const seen: string[] = [];
  await using target = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    seen.push(new URL(request.url).pathname);
    return new Response(`plain ${new URL(request.url).pathname}`);
  });
  await using secure = Deno.serve(
    {
      hostname: "127.0.0.1",
      port: 0,
      onListen() {},
      cert: await Deno.readTextFile(pki.serverPem),
      key: await Deno.readTextFile(pki.serverKey),
    },
    (request) => {
      seen.push(new URL(request.url).pathname);
      return new Response(`secure ${new URL(request.url).pathname}`);
    },
  );
  const plainUrl = (path: string) => `http://127.0.0.1:${target.addr.port}${path}`;
  const secureUrl = (path: string) => `https://127.0.0.1:${secure.addr.port}${path}`;
  const viaProxy = { host: "127.0.0.1", port: proxy.port };
  const proxyUrl = `http://127.0.0.1:${proxy.port}`;

  await t.step("HttpProxy: http as an absolute-form GET, https through CONNECT", async () => {
    using req = createHttp();
    const a = await req.request(plainUrl("/via-proxy"), { usingProxy: viaProxy });
    assert.equal(a.result, "plain /via-proxy");
    const b = await req.request(secureUrl("/via-connect"), {
      usingProxy: viaProxy,
      caPath: pki.caPem,
    });
    assert.equal(b.result, "secure /via-connect");
    const logged = await proxy.requests();
    assert.ok(logged.includes(`GET ${plainUrl("/via-proxy")}`), logged.join("\n"));
    assert.ok(logged.includes(`CONNECT 127.0.0.1:${secure.addr.port}`), logged.join("\n"));
  });

  await t.step("exclusionList: matching hosts go direct, others through the proxy", async () => {
    using req = createHttp();
    const before = (await proxy.requests()).length;
    const options = {
      usingProxy: { ...viaProxy, exclusionList: ["localhost", "*.example", "10.*"] },
    };
    const direct = await req.request(`http://localhost:${target.addr.port}/excluded`, options);
    assert.equal(direct.result, "plain /excluded");
    const proxied = await req.request(plainUrl("/not-excluded"), options);
    assert.equal(proxied.result, "plain /not-excluded");
    const wildcard = await req.request(plainUrl("/wildcard"), {
      usingProxy: { ...viaProxy, exclusionList: ["127.0.0.*"] },
    });
    assert.equal(wildcard.result, "plain /wildcard");
    const logged = (await proxy.requests()).slice(before);
    assert.deepEqual(logged, [`GET ${plainUrl("/not-excluded")}`]);
  });

  await t.step("usingProxy: true uses HTTP_PROXY/HTTPS_PROXY and honours NO_PROXY", async () => {
    await withEnvironment(
      { HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl, NO_PROXY: "localhost" },
      async () => {
        using req = createHttp();
        const before = (await proxy.requests()).length;
        await req.request(plainUrl("/env-http"), { usingProxy: true });
        await req.request(secureUrl("/env-https"), { usingProxy: true, caPath: pki.caPem });
        await req.request(`http://localhost:${target.addr.port}/env-no-proxy`, {
          usingProxy: true,
        });
        const logged = (await proxy.requests()).slice(before);
        assert.deepEqual(logged, [
          `GET ${plainUrl("/env-http")}`,
          `CONNECT 127.0.0.1:${secure.addr.port}`,
        ]);
      },
    );
  });

  await t.step("usingProxy false or absent goes direct even when HTTP_PROXY is set", async () => {
    await withEnvironment(
      { HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, HTTPS_PROXY: proxyUrl, ALL_PROXY: proxyUrl },
      async () => {
        // Control: a client Deno creates now takes the proxy from the environment.
        const control = Deno.createHttpClient({});
        try {
          const res = await fetch(plainUrl("/control"), { client: control });
          await res.body?.cancel();
        } finally {
          control.close();
        }
        assert.equal((await proxy.requests()).at(-1), `GET ${plainUrl("/control")}`);

        using req = createHttp();
        const before = (await proxy.requests()).length;
        seen.length = 0;
        await req.request(plainUrl("/absent"));
        await req.request(plainUrl("/false"), { usingProxy: false });
        await req.request(secureUrl("/absent-tls"), { caPath: pki.caPem });
        await req.request(secureUrl("/false-tls"), { caPath: pki.caPem, usingProxy: false });
        await req.request(plainUrl("/h1"), { usingProtocol: http.HttpProtocol.HTTP1_1 });
        assert.deepEqual(seen, ["/absent", "/false", "/absent-tls", "/false-tls", "/h1"]);
        assert.deepEqual((await proxy.requests()).slice(before), []);
        // The environment is as it was.
        assert.equal(Deno.env.get("HTTP_PROXY"), proxyUrl);
        assert.equal(Deno.env.get("NO_PROXY"), undefined);
      },
    );
  });

  await t.step("proxy credentials: Proxy-Authorization for http and for CONNECT", async () => {
    using req = createHttp();
    const withAuth = {
      host: "127.0.0.1",
      port: authProxy.port,
      username: "alice",
      password: "wonder",
    };
    const ok = await req.request(plainUrl("/auth"), { usingProxy: withAuth });
    assert.equal(ok.result, "plain /auth");
    const okTls = await req.request(secureUrl("/auth-tls"), {
      usingProxy: withAuth,
      caPath: pki.caPem,
    });
    assert.equal(okTls.result, "secure /auth-tls");

    const noAuth = { host: "127.0.0.1", port: authProxy.port };
    const refused = await req.request(plainUrl("/no-auth"), { usingProxy: noAuth });
    assert.equal(refused.responseCode, 407);
    const err = await failure(
      req.request(secureUrl("/no-auth-tls"), { usingProxy: noAuth, caPath: pki.caPem }),
    );
    assert.equal(err.code, 2300056, err.message);
    assert.match(
      err.message,
      new RegExp(`proxy http://127\\.0\\.0\\.1:${authProxy.port} refused the CONNECT tunnel`),
    );
    const logged = await authProxy.requests();
    assert.ok(logged.includes(`GET ${plainUrl("/auth")}`), logged.join("\n"));
    assert.ok(logged.includes(`CONNECT 127.0.0.1:${secure.addr.port}`), logged.join("\n"));
  });

  await t.step("an unreachable proxy: 2300007 naming the proxy", async () => {
    using req = createHttp();
    const port = closedPort();
    for (const url of [plainUrl("/dead"), secureUrl("/dead")]) {
      const err = await failure(
        req.request(url, { usingProxy: { host: "127.0.0.1", port }, caPath: pki.caPem }),
      );
      assert.equal(err.code, 2300007, err.message);
      assert.match(
        err.message,
        new RegExp(`cannot connect to proxy http://127\\.0\\.0\\.1:${port}`),
      );
    }
  });

  await t.step(
    "through a proxy, connectTimeout falls back to the time until the response head",
    async () => {
      using req = createHttp();
      await using slow = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async () => {
        await new Promise((r) => setTimeout(r, 600));
        return new Response("late");
      });
      // On the engine and on fetch: the proxy connects to the server out of sight of both.
      for (const engine of [true, false]) {
        const before = useSocketByDefault(engine);
        try {
          const err = await failure(
            req.request(`http://127.0.0.1:${slow.addr.port}/slow`, {
              usingProxy: viaProxy,
              connectTimeout: 200,
              readTimeout: 5_000,
            }),
          );
          assert.equal(err.code, 2300028, err.message);
          assert.match(err.message, /no response head within 200 ms/);
        } finally {
          useSocketByDefault(before);
        }
      }
    },
  );

  await t.step("bad HttpProxy values are 401s naming the field", async () => {
    using req = createHttp();
    for (
      const [usingProxy, field] of [
        [{ host: "", port: 1 }, "usingProxy.host"],
        [{ host: "127.0.0.1", port: 0 }, "usingProxy.port"],
        [{ host: "127.0.0.1", port: 8080, exclusionList: "x" }, "usingProxy.exclusionList"],
        [{ host: "a/b", port: 8080 }, "usingProxy.host"],
        ["yes", "usingProxy"],
      ] as const
    ) {
      const err = await failure(req.request(plainUrl("/bad"), { usingProxy: usingProxy as never }));
      assert.equal(err.code, 401);
      assert.match(err.message, new RegExp(`'${field.replace(".", "\\.")}'`));
    }
  });
});
