// Secure defaults on both faces: an https → http redirect is refused, credentials
// and cookies never follow a redirect to another origin, and no secret (proxy
// password, key password, Authorization value, URL credentials) appears in an
// error message. Loopback only: a TLS Deno.serve with a throwaway CA made by openssl.

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import type { FailureResponse, HTTPClientProperties, HttpRequestOptions } from "../mod.ts";
import { closedPort, createHttp, failure, serve, testWith } from "./_helpers.ts";
import { certDir, makeServerCertificate, OPENSSL } from "./_tls.ts";
import { buildStack } from "../src/core/stack.ts";
import type { CoreRequest } from "../src/core/request.ts";

/** Runs one Network request in a Deno subprocess that trusts `ca` (`--cert`); returns its outcome. */
async function networkWithCa(
  ca: string,
  url: string,
): Promise<{ load?: number; error?: FailureResponse }> {
  const script = `
    import { Network } from "./mod.ts";
    const xhr = Network.createHTTPClient({
      onload() { console.log(JSON.stringify({ load: this.status })); },
      onerror(e) { console.log(JSON.stringify({ error: { code: e.code, error: e.error } })); },
      timeout: 10000,
    });
    xhr.open("GET", ${JSON.stringify(url)});
    await xhr.send();`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--cert", ca, "--allow-net=127.0.0.1", "--allow-env", "--allow-read", script],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(out.success && text, new TextDecoder().decode(out.stderr));
  return JSON.parse(text.split("\n").at(-1)!);
}

/** One Network request in this process; resolves with onload's status or onerror's event. */
async function network(
  method: string,
  url: string,
  extra: HTTPClientProperties = {},
  headers: Record<string, string> = {},
): Promise<{ load?: number; error?: FailureResponse }> {
  const outcome: { load?: number; error?: FailureResponse } = {};
  const xhr = Network.createHTTPClient({
    onload() {
      outcome.load = this.status;
    },
    onerror(e) {
      outcome.error = e;
    },
    timeout: 10_000,
    ...extra,
  });
  xhr.open(method, url);
  for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
  await xhr.send();
  return outcome;
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  tls: testWith(OPENSSL),
};

test.tls("an https → http redirect is refused on both faces", async (t) => {
  await using dir = await certDir("security_pki_");
  if (!dir) return;
  const pki = await makeServerCertificate(dir.path);
  let plainHits = 0;
  await using plain = serve(() => {
    plainHits++;
    return new Response("plain");
  });
  const tls: Deno.HttpServer<Deno.NetAddr> = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: pki.cert, key: pki.key, onListen() {} },
    (req): Response => {
      const path = new URL(req.url).pathname;
      if (path === "/down") return Response.redirect(`${plain.url}/landed`, 302);
      if (path === "/same") return Response.redirect(`https://127.0.0.1:${tls.addr.port}/ok`, 302);
      return new Response("secure");
    },
  );
  try {
    const base = `https://127.0.0.1:${tls.addr.port}`;
    await t.step(
      "http face: 2300001 naming the downgrade; https → https still followed",
      async () => {
        using req = createHttp();
        const error = await failure(req.request(`${base}/down`, { caPath: pki.ca }));
        assert.equal(error.code, 2300001, error.message);
        assert.match(error.message, /from https to http .*refused: a downgrade/);
        const ok = await req.request(`${base}/same`, { caPath: pki.ca });
        assert.equal(ok.responseCode, 200);
        assert.equal(ok.result, "secure");
      },
    );
    await t.step("Network face: onerror -1002 (subprocess trusting the CA)", async () => {
      const outcome = await networkWithCa(pki.ca, `${base}/down`);
      assert.equal(outcome.load, undefined);
      assert.equal(outcome.error?.code, -1002, outcome.error?.error);
      assert.match(outcome.error!.error, /from https to http .*refused: a downgrade/);
      const ok = await networkWithCa(pki.ca, `${base}/same`);
      assert.equal(ok.load, 200);
    });
    assert.equal(plainHits, 0, "the plain-http server must never be contacted");
    await t.step("core: allowDowngrade: true follows it", async () => {
      const stack = buildStack({ cache: null, scheduler: null });
      try {
        const dispatch = stack.dispatch;
        const request = {
          url: new URL(`${base}/down`),
          method: "GET",
          headers: new Headers(),
          body: null,
          totalTimeout: 10_000,
          connectTimeout: 0,
          maxBodySize: 1 << 20,
          protocol: "auto",
          maxRedirects: 5,
          bodyMode: "buffer",
          priority: 1,
          cookies: null,
          startTime: performance.now(),
          signal: null,
          transport: {
            caPath: pki.ca,
            clientCert: null,
            proxy: "direct",
            dns: null,
            exactConnectTimeout: false,
          },
        } satisfies CoreRequest;
        await assert.rejects(dispatch(request, {}), /refused: a downgrade/);
        const result = await dispatch({ ...request, allowDowngrade: true }, {});
        assert.equal(new TextDecoder().decode(result.body!), "plain");
        assert.equal(plainHits, 1);
      } finally {
        stack.close();
      }
    });
    await t.step("http face: allowHttpsDowngrade: true follows it", async () => {
      using req = createHttp();
      const res = await req.request(`${base}/down`, { caPath: pki.ca, allowHttpsDowngrade: true });
      assert.equal(res.result, "plain");
      assert.equal(plainHits, 2);
      const error = await failure(
        req.request(
          `${base}/down`,
          { allowHttpsDowngrade: "yes" } as unknown as HttpRequestOptions,
        ),
      );
      assert.equal(error.code, 401);
      assert.match(error.message, /allowHttpsDowngrade/);
    });
  } finally {
    await tls.shutdown();
  }
});

Deno.test("an http → http redirect to another origin is not a downgrade", async () => {
  await using target = serve(() => new Response("there"));
  await using origin = serve(() => Response.redirect(`${target.url}/x`, 302));
  using req = createHttp();
  const res = await req.request(origin.url);
  assert.equal(res.result, "there");
});

Deno.test("Authorization, Cookie and Basic credentials never follow a cross-origin redirect", async (t) => {
  const seen: Array<{ where: string; auth: string | null; cookie: string | null }> = [];
  // Two origins: 127.0.0.1 and localhost are different origins on the same loopback.
  await using target = serve((req) => {
    seen.push({
      where: "target",
      auth: req.headers.get("authorization"),
      cookie: req.headers.get("cookie"),
    });
    return new Response("target");
  });
  const targetPort = target.addr.port;
  await using origin = serve((req) => {
    seen.push({
      where: "origin",
      auth: req.headers.get("authorization"),
      cookie: req.headers.get("cookie"),
    });
    const path = new URL(req.url).pathname;
    const to = path === "/same"
      ? `http://127.0.0.1:${origin.addr.port}/final`
      : path === "/final"
      ? null
      : `http://localhost:${targetPort}/landed`;
    return to ? Response.redirect(to, 302) : new Response("origin");
  });

  await t.step("http face", async () => {
    seen.length = 0;
    using req = createHttp();
    const res = await req.request(`${origin.url}/cross`, {
      header: { Authorization: "Bearer top-secret", Cookie: "sid=cookie-secret" },
    });
    assert.equal(res.result, "target");
    assert.deepEqual(seen, [
      { where: "origin", auth: "Bearer top-secret", cookie: "sid=cookie-secret" },
      { where: "target", auth: null, cookie: null },
    ]);
    // Same origin: kept.
    seen.length = 0;
    await req.request(`${origin.url}/same`, { header: { Authorization: "Bearer top-secret" } });
    assert.deepEqual(seen.map((s) => s.auth), ["Bearer top-secret", "Bearer top-secret"]);
  });

  await t.step("Network face: setRequestHeader and username/password", async () => {
    seen.length = 0;
    const a = await network("GET", `${origin.url}/cross`, {}, {
      Authorization: "Bearer top-secret",
      Cookie: "sid=cookie-secret",
    });
    assert.equal(a.load, 200, a.error?.error);
    assert.deepEqual(seen, [
      { where: "origin", auth: "Bearer top-secret", cookie: "sid=cookie-secret" },
      { where: "target", auth: null, cookie: null },
    ]);
    seen.length = 0;
    const b = await network("GET", `${origin.url}/cross`, {
      username: "user",
      password: "pw-secret",
    });
    assert.equal(b.load, 200, b.error?.error);
    assert.equal(seen[0]!.auth, `Basic ${btoa("user:pw-secret")}`);
    assert.equal(seen[1]!.where, "target");
    assert.equal(seen[1]!.auth, null);
  });
});

const SECRET = "Sup3rS3cretValue";

/** Fails when the secret appears in `text`. */
function assertNoSecret(text: string | undefined, what: string): void {
  assert.ok(typeof text === "string" && text.length > 0, `${what}: no message`);
  assert.ok(!text.includes(SECRET), `${what} leaks the secret: ${text}`);
  assert.ok(!text.includes(btoa(`user:${SECRET}`)), `${what} leaks the encoded secret: ${text}`);
}

Deno.test("no secret appears in an error message of either face", async (t) => {
  const refused = `http://127.0.0.1:${closedPort()}/`;
  const dir = await Deno.makeTempDir({ prefix: "security_secrets_" });
  try {
    const badCert = `${dir}/bad.pem`;
    await Deno.writeTextFile(badCert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n");
    const badKey = `${dir}/bad.key`;
    await Deno.writeTextFile(
      badKey,
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
    );

    await t.step("http face", async () => {
      using req = createHttp();
      const cases: Array<[string, () => Promise<unknown>]> = [
        [
          "unreachable proxy with credentials",
          () =>
            req.request(refused, {
              usingProxy: {
                host: "127.0.0.1",
                port: closedPort(),
                username: "user",
                password: SECRET,
              },
              connectTimeout: 5_000,
              readTimeout: 5_000,
            }),
        ],
        [
          "wrong key password on a bad cert",
          () =>
            req.request(`https://127.0.0.1:${closedPort()}/`, {
              clientCert: { certPath: badCert, keyPath: badKey, keyPassword: SECRET },
            }),
        ],
        [
          "P12 with a wrong password",
          () =>
            req.request(`https://127.0.0.1:${closedPort()}/`, {
              clientCert: {
                certPath: badKey,
                certType: "P12" as never,
                keyPath: "",
                keyPassword: SECRET,
              },
            }),
        ],
        [
          "refused port with an Authorization header",
          () =>
            req.request(refused, {
              header: { Authorization: `Bearer ${SECRET}` },
            }),
        ],
        [
          "Authorization with a CR",
          () =>
            req.request(refused, {
              header: { Authorization: `Bearer ${SECRET}\r\nX: y` },
            }),
        ],
        [
          "URL with credentials",
          () => req.request(`http://user:${SECRET}@127.0.0.1:${closedPort()}/`),
        ],
        ["invalid URL with credentials", () => req.request(`http://user:${SECRET}@[::1/`)],
        [
          "proxy password of the wrong type",
          () =>
            req.request(refused, {
              usingProxy: { host: "127.0.0.1", port: 1, password: { [SECRET]: SECRET } as never },
            }),
        ],
        [
          "proxy password a number",
          () =>
            req.request(refused, {
              usingProxy: { host: "127.0.0.1", port: 1, username: "u", password: 998877 as never },
            }),
        ],
      ];
      for (const [what, promise] of cases) {
        const error = await failure(promise(), what);
        assertNoSecret(error.message, what);
        assert.ok(!error.message.includes("998877"), `${what}: ${error.message}`);
      }
    });

    await t.step("Network face", async () => {
      const cases: Array<[string, () => Promise<{ load?: number; error?: FailureResponse }>]> = [
        [
          "refused port with an Authorization header",
          () => network("GET", refused, {}, { Authorization: `Bearer ${SECRET}` }),
        ],
        [
          "refused port with username/password",
          () => network("GET", refused, { username: "user", password: SECRET }),
        ],
        [
          "URL with credentials, refused port",
          () => network("GET", `http://user:${SECRET}@127.0.0.1:${closedPort()}/`),
        ],
        ["invalid URL with credentials", () => network("GET", `http://user:${SECRET}@[::1/`)],
        [
          "unencoded URL with credentials",
          () =>
            network("GET", `http://user:${SECRET}@127.0.0.1:${closedPort()}/a b`, {
              autoEncodeUrl: false,
            }),
        ],
        [
          "Authorization with a LF",
          () => network("GET", refused, {}, { Authorization: `Bearer ${SECRET}\nX: y` }),
        ],
      ];
      for (const [what, run] of cases) {
        const outcome = await run();
        assert.equal(outcome.load, undefined, what);
        assertNoSecret(outcome.error?.error, what);
      }
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("CR/LF/NUL, non-token names and non-Latin-1 values are refused on both faces", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response("ok");
  });
  const bad: Array<[string, string, RegExp]> = [
    ["x-a", "v\r\nInjected: 1", /'header\.x-a' must not contain CR, LF or NUL/],
    ["x-b", "v\nw", /'header\.x-b' must not contain CR, LF or NUL/],
    ["x-c", "v\0w", /'header\.x-c' must not contain CR, LF or NUL/],
    ["bad name", "v", /'header' has an invalid header name "bad name"/],
    ["x-d", "snow ☃", /'header\.x-d' must contain only Latin-1/],
  ];
  using req = createHttp();
  for (const [name, value, message] of bad) {
    const error = await failure(req.request(server.url, { header: { [name]: value } }), name);
    assert.equal(error.code, 401, error.message);
    assert.match(error.message, message);
    const outcome = await network("GET", server.url, {}, { [name]: value });
    assert.equal(outcome.load, undefined);
    assert.equal(outcome.error?.code, -1, outcome.error?.error);
    assert.match(outcome.error!.error, /setRequestHeader/);
  }
  assert.equal(hits, 0, "nothing may be sent");
});

Deno.test("an oversize header map is refused on both faces, naming the limit", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response("ok");
  });
  const header: Record<string, string> = {};
  for (let i = 0; i < 100; i++) header[`x-h${i}`] = "v".repeat(1000);
  using req = createHttp();
  const error = await failure(req.request(server.url, { header }));
  assert.equal(error.code, 401);
  assert.match(error.message, /'header' holds \d+ bytes of headers, more than the limit of 65536/);
  const outcome = await network("GET", server.url, {}, header);
  assert.equal(outcome.load, undefined);
  assert.equal(outcome.error?.code, -1, outcome.error?.error);
  assert.match(outcome.error!.error, /setRequestHeader' holds \d+ bytes/);
  const fine = await req.request(server.url, { header: { "x-small": "v".repeat(1000) } });
  assert.equal(fine.responseCode, 200);
  assert.equal(hits, 1, "only the request within the limit was sent");
});

Deno.test("cookies go only where RFC 6265 allows: public suffixes, other domains and paths", async () => {
  const seen: Record<string, string | null> = {};
  await using server = serve((req) => {
    const { pathname } = new URL(req.url);
    seen[pathname] = req.headers.get("cookie");
    if (pathname !== "/set") return new Response("ok");
    const headers = new Headers();
    headers.append("set-cookie", "suffix=1; Domain=com; Path=/");
    headers.append("set-cookie", "foreign=1; Domain=example.com; Path=/");
    headers.append("set-cookie", "scoped=1; Path=/only");
    headers.append("set-cookie", "plain=1; Path=/");
    return new Response("set", { headers });
  });
  try {
    for (const path of ["/set", "/only/page", "/elsewhere"]) {
      const outcome = await network("GET", `${server.url}${path}`);
      assert.equal(outcome.load, 200);
    }
    assert.equal(seen["/only/page"], "scoped=1; plain=1");
    assert.equal(seen["/elsewhere"], "plain=1");
    const names = Network.getHTTPCookiesForDomain("127.0.0.1").map((c) => c.name).sort();
    assert.deepEqual(
      names,
      ["plain", "scoped"],
      "the public-suffix and foreign cookies were refused",
    );
  } finally {
    Network.removeAllHTTPCookies();
  }
});
