// The Ti.Network cookie API over the jar every HTTPClient shares.

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import { serve } from "./_helpers.ts";

/** GETs `url` with a fresh client; returns the client after the request is over. */
async function get(url: string): Promise<ReturnType<typeof Network.createHTTPClient>> {
  const xhr = Network.createHTTPClient();
  xhr.open("GET", url);
  await xhr.send();
  return xhr;
}

Deno.test("Network.createCookie fills defaults; isValid() checks what a jar needs", () => {
  const cookie = Network.createCookie({ name: "a", value: "1", domain: "example.test" });
  assert.ok(cookie instanceof Network.Cookie);
  assert.equal(cookie.apiName, "Ti.Network.Cookie");
  assert.equal(cookie.path, "/");
  assert.equal(cookie.secure, false);
  assert.equal(cookie.httponly, false);
  assert.equal(cookie.expiryDate, "", "text, as @types/titanium types it");
  assert.equal(cookie.maxAge, -1);
  assert.equal(cookie.comment, "");
  assert.equal(cookie.originalUrl, "");
  assert.equal(cookie.version, 0);
  assert.ok(cookie.isValid());
  assert.throws(() => {
    (cookie as { apiName: string }).apiName = "changed";
  }, TypeError);
  assert.equal(cookie.apiName, "Ti.Network.Cookie", "read-only at runtime");
  const dated = Network.createCookie({ expiryDate: new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 6)) });
  assert.equal(dated.expiryDate, "2030-01-02T03:04:05.006+0000", "iOS's format");
  dated.expiryDate = "2031-01-01T00:00:00.000+0000";
  assert.equal(dated.expiryDate, "2031-01-01T00:00:00.000+0000");
  const fromUrl = Network.createCookie({ name: "u", value: "1", originalUrl: "https://a.test/x" });
  assert.ok(fromUrl.isValid(), "originalUrl gives the domain, as on iOS");
  const blank = Network.createCookie();
  assert.deepEqual([blank.name, blank.value, blank.domain], ["", "", ""]);
  assert.ok(Network.createCookie({ name: "a", value: "", domain: "h" }).isValid(), "empty value");

  const invalid = [
    {},
    { name: "a", value: "1" },
    { name: "a", domain: "h" },
    { name: "a b", value: "1", domain: "h" },
    { name: "a", value: "x;y", domain: "h" },
    { name: "a", value: "x\r\ny", domain: "h" },
    { name: "a", value: "1", domain: "h", path: "relative" },
    { name: "a", value: "1", domain: "." },
    { name: "a", value: "1", domain: "h", expiryDate: "not a date" },
  ];
  for (const props of invalid) {
    assert.equal(Network.createCookie(props).isValid(), false, JSON.stringify(props));
  }
  const mutable = new Network.Cookie();
  mutable.name = "late";
  mutable.value = "v";
  mutable.domain = "h";
  assert.ok(mutable.isValid());
});

Deno.test("Network.addHTTPCookie / getHTTPCookies follow RFC 6265 domain and path rules", () => {
  Network.removeAllHTTPCookies();
  Network.addHTTPCookie(Network.createCookie({
    name: "wide",
    value: "1",
    domain: ".example.test",
    path: "/docs",
    secure: true,
    httponly: true,
    comment: "hello",
    version: 1,
  }));
  Network.addHTTPCookie({ name: "host", value: "2", domain: "www.example.test" });
  Network.addHTTPCookie({ name: "bad name", value: "x", domain: "www.example.test" }); // ignored

  const wide = Network.getHTTPCookies("www.example.test", "/docs/page", "wide");
  assert.equal(wide.length, 1);
  assert.deepEqual(
    wide[0]!.toJSON(),
    {
      name: "wide",
      value: "1",
      domain: ".example.test",
      path: "/docs",
      secure: true,
      httponly: true,
      expiryDate: "",
      maxAge: -1,
      comment: "hello",
      version: 1,
      originalUrl: "",
    },
  );
  assert.deepEqual(
    Network.getHTTPCookies("www.example.test", "/", "wide"),
    [],
    "path does not match",
  );
  assert.deepEqual(Network.getHTTPCookies("www.example.test", "/documents", "wide"), []);
  assert.equal(
    Network.getHTTPCookies("example.test", null, null).length,
    1,
    "only the domain cookie",
  );
  assert.equal(
    Network.getHTTPCookies(".www.example.test", "", "").length,
    2,
    "leading dot ignored",
  );
  assert.deepEqual(
    Network.getHTTPCookiesForDomain("www.example.test").map((c) => c.name).sort(),
    ["host", "wide"],
  );
  assert.deepEqual(Network.getHTTPCookiesForDomain("other.example.test").map((c) => c.name), [
    "wide",
  ]);
  assert.deepEqual(Network.getHTTPCookiesForDomain("unrelated.test"), []);
  assert.deepEqual(Network.getHTTPCookies("", "/", "x"), [], "arrays, never null");

  // Same name, domain and path replaces; an expired cookie removes.
  Network.addHTTPCookie({ name: "host", value: "3", domain: "www.example.test" });
  assert.equal(Network.getHTTPCookies("www.example.test", "/", "host")[0]!.value, "3");
  Network.addHTTPCookie({
    name: "host",
    value: "x",
    domain: "www.example.test",
    expiryDate: new Date(Date.now() - 1000),
  });
  assert.deepEqual(Network.getHTTPCookies("www.example.test", "/", "host"), []);

  Network.removeHTTPCookie("www.example.test", "/docs", "wide");
  assert.deepEqual(Network.getHTTPCookiesForDomain("www.example.test"), []);
});

Deno.test("Network cookie expiry: expiryDate and maxAge are kept; expired ones disappear", () => {
  Network.removeAllHTTPCookies();
  const later = new Date(Date.now() + 3_600_000);
  Network.addHTTPCookie({ name: "dated", value: "1", domain: "h.test", expiryDate: later });
  Network.addHTTPCookie({ name: "aged", value: "1", domain: "h.test", maxAge: 60 });
  Network.addHTTPCookie({ name: "gone", value: "1", domain: "h.test", maxAge: 0 });
  const [aged, dated] = Network.getHTTPCookiesForDomain("h.test").sort((a, b) =>
    a.name!.localeCompare(b.name!)
  );
  assert.equal(new Date(dated!.expiryDate).getTime(), later.getTime());
  assert.equal(aged!.maxAge, 60);
  assert.ok(Math.abs(new Date(aged!.expiryDate).getTime() - (Date.now() + 60_000)) < 5_000);
  assert.equal(Network.getHTTPCookiesForDomain("h.test").length, 2);
  Network.removeHTTPCookiesForDomain("h.test");
  assert.deepEqual(Network.getHTTPCookiesForDomain("h.test"), []);
});

Deno.test("Network cookie jar: cookies from responses are listed; added ones are sent", async () => {
  Network.removeAllHTTPCookies();
  await using server = serve((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/login") {
      return new Response(null, {
        status: 302,
        headers: [
          ["location", "/home"],
          ["set-cookie", "sid=abc; Path=/; HttpOnly"],
          ["set-cookie", "pref=x; Path=/home; Max-Age=3600"],
        ],
      });
    }
    return new Response(req.headers.get("cookie") ?? "");
  });
  const home = await get(`${server.url}/login`);
  assert.equal(home.location, `${server.url}/home`);
  assert.equal(home.responseText, "pref=x; sid=abc", "cookies of the redirect reach the next hop");

  const sid = Network.getHTTPCookies("127.0.0.1", "/", "sid");
  assert.equal(sid.length, 1);
  assert.equal(sid[0]!.httponly, true);
  assert.equal(sid[0]!.domain, "127.0.0.1");
  assert.equal(Network.getHTTPCookies("127.0.0.1", "/home", "pref")[0]!.maxAge, 3600);

  Network.addHTTPCookie({ name: "added", value: "yes", domain: "127.0.0.1", path: "/" });
  Network.removeHTTPCookie("127.0.0.1", "/", "sid");
  assert.equal((await get(`${server.url}/other`)).responseText, "added=yes");

  Network.addHTTPCookie({ name: "tls", value: "1", domain: "127.0.0.1", secure: true });
  assert.equal(
    (await get(`${server.url}/other`)).responseText,
    "added=yes; tls=1",
    "Secure cookies go to loopback over http, as browsers treat it as a secure context",
  );
  Network.removeHTTPCookie("127.0.0.1", null, "tls");

  // clearCookies() removes the host's cookies only.
  Network.addHTTPCookie({ name: "keep", value: "1", domain: "localhost" });
  const xhr = await get(`${server.url}/`);
  xhr.clearCookies(`${server.url}/anything`);
  assert.equal((await get(`${server.url}/other`)).responseText, "");
  assert.equal(Network.getHTTPCookiesForDomain("localhost").length, 1);
  xhr.clearCookies("localhost");
  assert.deepEqual(Network.getHTTPCookiesForDomain("localhost"), []);
  Network.removeAllHTTPCookies();
});

Deno.test("Network constants and URL helpers", () => {
  assert.equal(Network.apiName, "Ti.Network");
  assert.equal(Network.PROGRESS_UNKNOWN, -1);
  assert.deepEqual(
    [
      Network.TLS_VERSION_1_0,
      Network.TLS_VERSION_1_1,
      Network.TLS_VERSION_1_2,
      Network.TLS_VERSION_1_3,
    ],
    [1, 2, 3, 4],
  );
  const text = "Look what I found! I like this:";
  const encoded = "Look%20what%20I%20found!%20I%20like%20this%3A";
  assert.equal(Network.encodeURIComponent(text), encoded);
  assert.equal(Network.decodeURIComponent(encoded), text);
  assert.equal(Network.HTTPClient.DONE, 4);
  assert.ok(Network.createHTTPClient() instanceof Network.HTTPClient);
});
