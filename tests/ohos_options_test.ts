// The options of OpenHarmony's current declaration (ohos.net.http.d.ts) against real
// loopback servers: what each does on the wire, what OpenHarmony tolerates (its XTS
// cases), what cannot be honoured yet (a 401 naming the option, never a silent send),
// and hostile option objects.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { SocksRelay } from "../src/core/relay.ts";
import { PENDING_SETTINGS } from "../src/core/transport_support.ts";
import { optionReference } from "../src/ohos/option_table.ts";
import {
  createHttp,
  failure,
  HTTPBIN,
  onEngine,
  rawServer,
  serve,
  startHttpbin,
  testWith,
  write,
} from "./_helpers.ts";
import { certDir, makeCa, makeCert } from "./_tls.ts";

interface Seen {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

function recorder(respond?: (request: Request) => Response) {
  const seen: Seen[] = [];
  const server = serve(async (request) => {
    seen.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: await request.text(),
    });
    return respond?.(request) ?? new Response("ok");
  });
  return Object.assign(server, { seen });
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  httpbin: testWith(HTTPBIN),
};

Deno.test("XTS: OpenHarmony's User-Agent; a header that is not an object is ignored", async () => {
  await using server = recorder();
  using req = createHttp();
  await req.request(server.url, { header: "content-type: text/plain" as unknown as object });
  assert.equal(server.seen.at(-1)!.headers.get("user-agent"), "libcurl-agent/1.0");
  await req.request(server.url, { header: { "user-agent": "mine" } });
  assert.equal(server.seen.at(-1)!.headers.get("user-agent"), "mine");
});

Deno.test("XTS: priority 0.5, 1001 and 0, expectDataType 3 are tolerated (200)", async () => {
  await using server = recorder();
  using req = createHttp();
  for (
    const options of [{ priority: 0.5 }, { priority: 1001 }, { priority: 0 }, {
      expectDataType: 3 as http.HttpDataType,
    }]
  ) {
    const res = await req.request(server.url, options);
    assert.equal(res.responseCode, 200, JSON.stringify(options));
    assert.equal(res.result, "ok");
  }
});

Deno.test("resume: resumeTo below resumeFrom, 0 and negatives have no effect; from/to give a Range", async () => {
  await using server = recorder();
  using req = createHttp();
  const range = async (options: http.HttpRequestOptions) => {
    await req.request(server.url, options);
    return server.seen.at(-1)!.headers.get("range");
  };
  assert.equal(await range({ resumeFrom: 10, resumeTo: 5 }), "bytes=10-");
  assert.equal(await range({ resumeFrom: -1 }), null);
  assert.equal(await range({ resumeFrom: 0 }), null);
  assert.equal(await range({ resumeFrom: 1, resumeTo: 100 }), "bytes=1-100");
  assert.equal(await range({ resumeFrom: 4_294_967_297 }), null);
});

Deno.test("maxLimit above 100 MiB is clamped, not refused", async () => {
  await using server = recorder();
  using req = createHttp();
  const res = await req.request(server.url, { maxLimit: 200 * 1024 * 1024 });
  assert.equal(res.responseCode, 200);
});

test.httpbin("PATCH, customMethod and queryParams against httpbin", async (t) => {
  await using bin = await startHttpbin();
  if (!bin) return void t.step({ name: "python3-httpbin missing", ignore: true, fn() {} });
  using req = createHttp();
  const patch = await req.request(`${bin.url}/patch`, {
    method: http.RequestMethod.PATCH,
    extraData: { a: 1 },
    expectDataType: http.HttpDataType.OBJECT,
  });
  assert.equal(patch.responseCode, 200);
  assert.deepEqual((patch.result as { json: unknown }).json, { a: 1 });

  // customMethod wins over method.
  const custom = await req.request(`${bin.url}/patch`, {
    method: http.RequestMethod.GET,
    customMethod: "PATCH",
    body: "raw text",
    expectDataType: http.HttpDataType.OBJECT,
  });
  assert.equal(custom.responseCode, 200);
  assert.equal((custom.result as { data: string }).data, "raw text");

  const query = await req.request(`${bin.url}/get?x=1`, {
    queryParams: { q: "a b", tag: ["x", "y"], n: 3, flag: null },
    extraData: { ignored: "yes" },
    expectDataType: http.HttpDataType.OBJECT,
  });
  const result = query.result as { url: string; args: Record<string, unknown> };
  assert.match(result.url, /\?x=1&q=a%20b&tag=x&tag=y&n=3&flag$/);
  assert.equal(result.args.ignored, undefined, "queryParams replaces extraData's query");
});

test.httpbin("maxRedirects against httpbin /redirect/n: 0 returns the 3xx, a low limit fails with 2300047", async (t) => {
  await using bin = await startHttpbin();
  if (!bin) return void t.step({ name: "python3-httpbin missing", ignore: true, fn() {} });
  using req = createHttp();
  const none = await req.request(`${bin.url}/redirect/2`, { maxRedirects: 0 });
  assert.equal(none.responseCode, 302);
  const ok = await req.request(`${bin.url}/redirect/2`, { maxRedirects: 2 });
  assert.equal(ok.responseCode, 200);
  const over = await failure(req.request(`${bin.url}/redirect/3`, { maxRedirects: 2 }));
  assert.equal(over.code, 2300047);
  // Out of range: the default (30) applies, as the declaration says.
  const fallback = await req.request(`${bin.url}/redirect/3`, { maxRedirects: -5 });
  assert.equal(fallback.responseCode, 200);
});

Deno.test("body wins over extraData for any method; queryParams as a string is appended as is", async () => {
  await using server = recorder();
  using req = createHttp();
  await req.request(server.url, {
    method: http.RequestMethod.POST,
    body: new TextEncoder().encode("bytes").buffer,
    extraData: "ignored",
    queryParams: "a=%41&b",
  });
  const seen = server.seen.at(-1)!;
  assert.equal(seen.body, "bytes");
  assert.equal(seen.url.search, "?a=%41&b");
  await req.request(server.url, { method: "OPTIONS", body: { k: "v" } });
  assert.equal(server.seen.at(-1)!.body, '{"k":"v"}');
  assert.equal(server.seen.at(-1)!.method, "OPTIONS");
  // fetch cannot send a GET body: the socket-level transport does (a raw server reads it).
  let raw = "";
  await using plain = rawServer(async (conn) => {
    const buffer = new Uint8Array(4096);
    while (!/\r\n\r\nwith GET$/.test(raw)) {
      const n = await conn.read(buffer);
      if (n === null) return;
      raw += new TextDecoder().decode(buffer.subarray(0, n));
    }
    await write(conn, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
  });
  const get = await req.request(plain.url, { body: "with GET" });
  assert.equal(get.result, "ok");
  assert.match(raw, /^GET \/ HTTP\/1\.1\r\n/);
  assert.match(raw, /\r\ncontent-length: 8\r\n/i);
});

Deno.test("TLS control no transport honours yet is refused with 401 naming the option, never sent", async () => {
  await using server = recorder();
  using req = createHttp();
  const pin = {
    publicKeyHash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
    hashAlgorithm: "SHA-256" as const,
  };
  const cases: Array<[http.HttpRequestOptions, string]> = [
    [{ certificatePinning: pin }, "certificatePinning"],
    [{ certificatePinning: [pin] }, "certificatePinning"],
    [{ remoteValidation: "skip" }, "remoteValidation"],
    [{ remoteValidation: () => true }, "remoteValidation"],
    [{
      tlsOptions: {
        tlsVersionMin: http.TlsVersion.TLS_V_1_2,
        tlsVersionMax: http.TlsVersion.TLS_V_1_2,
      },
    }, "tlsOptions"],
    [{ sniHostName: "alt.test" }, "sniHostName"],
    [{ enablePartialChain: true }, "enablePartialChain"],
  ];
  for (const [options, name] of cases) {
    if (!PENDING_SETTINGS.has("tls.pins")) break; // the socket-level TLS engine is plugged in
    const error = await failure(req.request(server.url, options), name);
    assert.equal(error.code, 401, name);
    assert.match(error.message, new RegExp(`'${name}'`));
  }
  assert.equal(server.seen.length, 0, "nothing was sent");
});

Deno.test("caData is trusted besides the default roots; without it the server is refused", async (t) => {
  await using dir = await certDir("ohos-cadata-");
  if (!dir) return void t.step({ name: "openssl missing", ignore: true, fn() {} });
  const ca = await makeCa(dir.path, "ca", { cn: "caData test CA" });
  const leaf = await makeCert(dir.path, "leaf", ca, { cn: "127.0.0.1", san: "IP:127.0.0.1" });
  await using server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    cert: await Deno.readTextFile(leaf.pem),
    key: await Deno.readTextFile(leaf.key),
    onListen() {},
  }, () => new Response("trusted"));
  const url = `https://127.0.0.1:${server.addr.port}/`;
  using req = createHttp();
  assert.equal((await failure(req.request(url))).code, 2300060);
  const res = await req.request(url, { caData: await Deno.readTextFile(ca.pem) });
  assert.equal(res.result, "trusted");
});

Deno.test("reuseConnections: false opens a connection per request; addressFamily ONLY_V4 reaches an IPv4 server", async () => {
  // On the default path from the first request (no warm-up on fetch: one pool throughout).
  using _engine = onEngine();
  const ports = new Set<number>();
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (_request, info) => {
      ports.add(info.remoteAddr.port);
      return new Response("x");
    },
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  using req = createHttp();
  for (let i = 0; i < 3; i++) await req.request(url, { reuseConnections: false });
  assert.equal(ports.size, 3, "three requests, three connections");
  ports.clear();
  for (let i = 0; i < 3; i++) await req.request(url, { inactivityMs: 30_000 });
  assert.equal(ports.size, 1, "pooled: one connection");
  const v4 = await req.request(`http://localhost:${server.addr.port}/`, {
    addressFamily: http.AddressFamily.ONLY_V4,
  });
  assert.equal(v4.responseCode, 200);
});

Deno.test("usingSocks5Proxy: requests go through a SOCKS5 server with credentials, over usingProxy", async () => {
  const relay = new SocksRelay();
  try {
    const credentials = relay.register({
      resolver: {
        resolve: (host) => Promise.resolve(host === "only-proxy.test" ? ["127.0.0.1"] : [host]),
      },
      connectTimeout: 0,
    });
    await using server = recorder();
    const port = Number(new URL(server.url).port);
    const proxyPort = Number(new URL(relay.url).port);
    using req = createHttp();
    const res = await req.request(`http://only-proxy.test:${port}/via`, {
      usingSocks5Proxy: { host: "127.0.0.1", port: proxyPort, ...credentials },
      usingProxy: { host: "127.0.0.1", port: 9 },
    });
    assert.equal(res.result, "ok", "the proxy resolved the name only it knows");
    assert.equal(server.seen.at(-1)!.url.pathname, "/via");
  } finally {
    relay.close();
  }
});

Deno.test("tolerated TLS and network values: defaults, system, auto, empty names", async () => {
  await using server = recorder();
  using req = createHttp();
  const tolerated: http.HttpRequestOptions[] = [
    { remoteValidation: "system", tlsOptions: "system", sslType: "TLS" },
    { addressFamily: http.AddressFamily.DEFAULT, reuseConnections: true, inactivityMs: 0 },
    { pathPreference: "auto" },
    { pathPreference: "primaryCellular" },
    { sniHostName: "" },
    { sniHostName: "x".repeat(256) },
    { enablePartialChain: false },
    { certificatePinning: { publicKeyHash: "abc", hashAlgorithm: "MD5" as "SHA-256" } },
    { reuseConnections: true, inactivityMs: -1 },
    { customMethod: "X".repeat(129) },
    { caData: "not a certificate" },
  ];
  for (const options of tolerated) {
    assert.equal(
      (await req.request(server.url, options)).responseCode,
      200,
      JSON.stringify(options),
    );
  }
  assert.equal(server.seen.at(-2)!.method, "GET", "an over-long customMethod has no effect");
});

Deno.test("TLCP, clientEncCert and TLS 1.0/1.1 maxima are refused with 401 naming the option", async () => {
  await using server = recorder();
  using req = createHttp();
  const cases: Array<[http.HttpRequestOptions, RegExp]> = [
    [{ sslType: "TLCP" }, /'sslType' must be "TLS": TLCP is not available/],
    [
      { clientEncCert: { certPath: "c.pem", keyPath: "k.pem" } },
      /'clientEncCert' is a TLCP setting/,
    ],
    [{
      tlsOptions: {
        tlsVersionMin: http.TlsVersion.TLS_V_1_0,
        tlsVersionMax: http.TlsVersion.TLS_V_1_1,
      },
    }, /'tlsOptions\.tlsVersionMax' must be TLS_V_1_2 or TLS_V_1_3/],
    [{
      tlsOptions: {
        tlsVersionMin: http.TlsVersion.TLS_V_1_3,
        tlsVersionMax: http.TlsVersion.TLS_V_1_2,
      },
    }, /'tlsOptions\.tlsVersionMin' must not be above/],
    [{
      tlsOptions: {
        tlsVersionMin: http.TlsVersion.TLS_V_1_2,
        tlsVersionMax: http.TlsVersion.TLS_V_1_3,
        cipherSuites: ["TLS_FAKE" as http.CipherSuite],
      },
    }, /'tlsOptions\.cipherSuites\[0\]' must be a CipherSuite/],
    [{ certificatePinning: { publicKeyHash: "short", hashAlgorithm: "SHA-256" } }, /publicKeyHash/],
    [{ pathPreference: "wifi" as http.PathPreference }, /'pathPreference' must be one of/],
    [
      { serverAuthentication: { credential: { username: "u", password: 5 as unknown as string } } },
      /'serverAuthentication\.credential\.password' must be a string, got a value of type number/,
    ],
    [{ usingSocks5Proxy: { host: "", port: 1 } }, /'usingSocks5Proxy\.host'/],
    [{ queryParams: { a: {} as unknown as string } }, /'queryParams\.a'/],
  ];
  for (const [options, message] of cases) {
    const error = await failure(req.request(server.url, options));
    assert.equal(error.code, 401, String(message));
    assert.match(error.message, message);
  }
  assert.equal(server.seen.length, 0);
});

Deno.test("hostile options: a throwing getter or a Proxy gives 401 naming the field, never a synchronous throw", async () => {
  await using server = recorder();
  using req = createHttp();
  const getter = Object.defineProperty({}, "header", {
    enumerable: true,
    get() {
      throw new Error("boom");
    },
  });
  const nested = {
    usingProxy: {
      get host(): string {
        throw new RangeError("no");
      },
      port: 1,
    },
  };
  const trap = new Proxy({}, {
    get(_target, key) {
      if (key === "readTimeout") throw new Error("trap");
      return undefined;
    },
  });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const headerProxy = {
    header: new Proxy({}, {
      ownKeys() {
        throw new Error("keys");
      },
    }),
  };
  const cases: Array<[unknown, RegExp]> = [
    [getter, /'header' could not be read/],
    [nested, /'usingProxy' could not be read \(RangeError\)/],
    [trap, /'readTimeout' could not be read/],
    [revocable.proxy, /'options' could not be read/],
    [headerProxy, /'header' could not be read/],
  ];
  for (const [options, message] of cases) {
    for (const method of ["request", "requestInStream"] as const) {
      let promise: Promise<unknown>;
      try {
        const o = options as http.HttpRequestOptions;
        promise = method === "request"
          ? req.request(server.url, o)
          : req.requestInStream(server.url, o);
      } catch (error) {
        assert.fail(`${method} threw synchronously: ${error}`);
      }
      const error = await failure(promise);
      assert.equal(error.code, 401, String(message));
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /boom|trap|keys/, "the getter's own text is not echoed");
    }
  }
  assert.equal(server.seen.length, 0);
});

Deno.test("response header objects have no prototype; a __proto__ header is a plain key", async () => {
  await using server = serve(() =>
    new Response("x", { headers: [["__proto__", "evil"], ["constructor", "c"], ["x-a", "1"]] })
  );
  using req = createHttp();
  let seenInEvent: Record<string, unknown> | undefined;
  req.on("headersReceive", (header) => seenInEvent = header as Record<string, unknown>);
  const res = await req.request(server.url);
  for (const header of [res.header, seenInEvent!]) {
    assert.equal(Object.getPrototypeOf(header), null);
    assert.equal(header["__proto__"], "evil");
    assert.equal(header["constructor"], "c");
    assert.ok(Object.hasOwn(header, "__proto__"));
    assert.equal(header["x-a"], "1");
  }
});

Deno.test("docs/ohos-api.md carries the option reference generated from the option table", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/ohos-api.md", import.meta.url));
  // deno fmt pads table cells: compare rows with their padding and dash runs collapsed.
  const rows = (text: string) =>
    text.split("\n").filter((line) => line.startsWith("|")).map((line) =>
      line.replace(/-{3,}/g, "---").replace(/ {2,}/g, " ").trim()
    );
  const section = doc.split("<!-- option-reference:start -->")[1]!.split(
    "<!-- option-reference:end -->",
  )[0]!;
  assert.deepEqual(
    rows(section),
    rows(optionReference()),
    "regenerate: deno eval 'import {optionReference} from \"./src/ohos/option_table.ts\"; console.log(optionReference())'",
  );
});
