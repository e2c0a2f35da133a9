// Cookie jar hardening on both faces against loopback servers: a plain-http response never
// replaces or shadows a Secure cookie set over https (RFC 6265bis "Leave Secure Cookies
// Alone"), and the jar is bounded per domain and in total with least-recently-used eviction,
// and sends a bounded Cookie header (RFC 6265 §6.1 minimums; browsers keep ~180 per domain).

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import { createHttp, readHead, write } from "./_helpers.ts";
import { certDir, makeServerCertificate } from "./_tls.ts";

const ROOT = new URL("../", import.meta.url);
const decoder = new TextDecoder();

/** The Cookie header of a request head, `""` when none. */
function cookieOf(head: string): string {
  return /^cookie: *(.*)$/im.exec(head)?.[1]?.trim() ?? "";
}

/** The names of a Cookie header's pairs, in order. */
function names(header: string): string[] {
  return header ? header.split("; ").map((pair) => pair.split("=")[0]!) : [];
}

/**
 * A raw keep-alive server on `hostname`: `respond(path)` returns the response's header
 * lines (a `Location` makes it a 302); the body is empty. Records each request's Cookie
 * header by path.
 */
function cookieServer(
  respond: (path: string) => string[],
  hostname = "127.0.0.1",
) {
  const listener = Deno.listen({ hostname, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const seen = new Map<string, string>();
  const conns = new Set<Deno.Conn>();
  const loop = (async () => {
    const tasks: Promise<void>[] = [];
    try {
      for await (const conn of listener) {
        conns.add(conn);
        tasks.push((async () => {
          try {
            for (;;) {
              const head = await readHead(conn);
              if (!head) break;
              const path = head.split(" ")[1] ?? "/";
              seen.set(path, cookieOf(head));
              const lines = respond(path);
              const status = lines.some((line) => line.startsWith("Location:"))
                ? "302 Found"
                : "200 OK";
              const response = [`HTTP/1.1 ${status}`, ...lines, "Content-Length: 0", "", ""];
              await write(conn, response.join("\r\n"));
            }
          } catch { /* closed */ }
          conns.delete(conn);
          try {
            conn.close();
          } catch { /* closed */ }
        })());
      }
    } catch { /* listener closed */ }
    await Promise.all(tasks);
  })();
  return {
    url: `http://${hostname}:${port}`,
    seen,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await loop;
    },
  };
}

/** `count` Set-Cookie lines `c<from+i>=<value>`. */
function setCookies(from: number, count: number, value = "v"): string[] {
  return Array.from({ length: count }, (_, i) => `Set-Cookie: c${from + i}=${value}; Path=/`);
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const xhr = Network.createHTTPClient({
      timeout: 10_000,
      onload() {
        resolve(this.status);
      },
      onerror(e) {
        reject(new Error(`onerror ${e.code} ${e.error}`));
      },
    });
    xhr.open("GET", url);
    xhr.send();
  });
}

Deno.test("cookies: a plain-http response never replaces or shadows a Secure cookie, both faces", async () => {
  await using dir = await certDir("security_cookies_");
  if (!dir) return;
  const pki = await makeServerCertificate(dir.path);
  const checks: string[] = [];
  let tlsPort = 0;
  await using plain = cookieServer((path) =>
    path === "/evil"
      ? [
        "Set-Cookie: sid=evil; Path=/",
        "Set-Cookie: sid=evil2; Path=/app",
        "Set-Cookie: sid=evil3; Path=/; Secure",
        "Set-Cookie: other=plain; Path=/",
        "Location: " + `https://127.0.0.1:${tlsPort}/app/check`,
      ]
      : []
  );
  const tls = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert: pki.cert, key: pki.key, onListen() {} },
    (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/start") {
        return new Response(null, {
          status: 302,
          headers: [["set-cookie", "sid=good; Path=/; Secure"], ["location", `${plain.url}/evil`]],
        });
      }
      if (path === "/set") {
        return new Response("set", { headers: { "set-cookie": "sid=good; Path=/; Secure" } });
      }
      checks.push(request.headers.get("cookie") ?? "");
      return new Response("checked");
    },
  );
  tlsPort = tls.addr.port;
  try {
    // The http face: one redirect chain https → http (allowed here) → https.
    using req = createHttp();
    const res = await req.request(`https://127.0.0.1:${tlsPort}/start`, {
      caPath: pki.ca,
      allowHttpsDowngrade: true,
    });
    assert.equal(res.result, "checked");
    assert.equal(checks.length, 1);
    assert.deepEqual(checks[0]!.split("; ").sort(), ["other=plain", "sid=good"]);
    // The Network face, in a child that trusts the test CA; the jar is shared across requests.
    const script = `
      import { Network } from "./mod.ts";
      const get = (url) => new Promise((resolve) => {
        const xhr = Network.createHTTPClient({ timeout: 10000,
          onload() { resolve(this.status); }, onerror(e) { resolve(e.code); } });
        xhr.open("GET", url); xhr.send();
      });
      console.log(await get("https://127.0.0.1:${tlsPort}/set"));
      console.log(await get("${plain.url}/evil")); // a 302 to https …/app/check`;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--cert",
        pki.ca,
        "--allow-net=127.0.0.1",
        "--allow-env",
        "--allow-read",
        script,
      ],
      cwd: ROOT.pathname,
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(decoder.decode(out.stdout).trim(), "200\n200", decoder.decode(out.stderr));
    assert.equal(checks.length, 2);
    assert.deepEqual(checks[1]!.split("; ").sort(), ["other=plain", "sid=good"]);
  } finally {
    await tls.shutdown();
  }
});

/** `/hop/<n>` sets `perHop` cookies and redirects to the next hop; after `hops`, to /check. */
function hopLines(path: string, hops: number, perHop: number, value = "v"): string[] {
  const hop = /^\/hop\/(\d+)$/.exec(path);
  if (!hop) return [];
  const n = Number(hop[1]);
  const next = n + 1 < hops ? `/hop/${n + 1}` : "/check";
  return [...setCookies(n * perHop, perHop, value), `Location: ${next}`];
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => `c${from + i}`);

Deno.test("cookies: at most 180 per domain, least recently used evicted first, both faces", async () => {
  await using server = cookieServer((path) =>
    path.startsWith("/set/") ? setCookies(Number(path.slice(5)) * 90, 90) : hopLines(path, 20, 90)
  );
  // The http face: 20 hops of 90 cookies in one redirect chain (its jar lives for one request).
  using req = createHttp();
  await req.request(`${server.url}/hop/0`);
  assert.deepEqual(names(server.seen.get("/check")!), range(1620, 1800));
  // The Network face: 20 requests of 90 cookies into the shared jar.
  Network.removeAllHTTPCookies();
  try {
    for (let n = 0; n < 20; n++) assert.equal(await get(`${server.url}/set/${n}`), 200);
    assert.equal(await get(`${server.url}/check`), 200);
    assert.deepEqual(names(server.seen.get("/check")!), range(1620, 1800));
    assert.equal(Network.getHTTPCookiesForDomain("127.0.0.1").length, 180);
  } finally {
    Network.removeAllHTTPCookies();
  }
});

Deno.test("cookies: the Cookie header stays within 8000 characters; a cookie over 4096 is refused", async () => {
  const big = "b".repeat(3000);
  await using server = cookieServer((path) =>
    path.startsWith("/set/")
      ? [...setCookies(Number(path.slice(5)) * 40, 40, big), `Set-Cookie: huge=${"h".repeat(5000)}`]
      : hopLines(path, 2, 40, big)
  );
  using req = createHttp();
  await req.request(`${server.url}/hop/0`);
  const viaHttp = server.seen.get("/check")!;
  assert.ok(viaHttp.length > 0 && viaHttp.length <= 8000, `${viaHttp.length} characters`);
  Network.removeAllHTTPCookies();
  try {
    for (let n = 0; n < 2; n++) assert.equal(await get(`${server.url}/set/${n}`), 200);
    assert.equal(await get(`${server.url}/check`), 200);
    const viaNetwork = server.seen.get("/check")!;
    assert.ok(
      viaNetwork.length > 0 && viaNetwork.length <= 8000,
      `${viaNetwork.length} characters`,
    );
    assert.ok(!names(viaNetwork).includes("huge"));
    assert.equal(Network.getHTTPCookies("127.0.0.1", "/", "huge").length, 0);
    assert.equal(Network.getHTTPCookiesForDomain("127.0.0.1").length, 80);
  } finally {
    Network.removeAllHTTPCookies();
  }
});

Deno.test("cookies: at most 3000 in the Network face's shared jar, least recently used evicted first", async () => {
  const hosts = Array.from({ length: 17 }, (_, i) => `127.0.0.${i + 2}`);
  const servers = hosts.map((host) =>
    cookieServer((path) => setCookies(Number(path.slice(5)) * 90, 90), host)
  );
  Network.removeAllHTTPCookies();
  try {
    for (const server of servers) {
      for (let n = 0; n < 2; n++) assert.equal(await get(`${server.url}/set/${n}`), 200);
    }
    const counts = hosts.map((host) => Network.getHTTPCookiesForDomain(host).length);
    assert.equal(counts.reduce((a, b) => a + b), 3000);
    assert.deepEqual(counts, [120, ...Array(16).fill(180)], "the oldest host's cookies went first");
  } finally {
    Network.removeAllHTTPCookies();
    for (const server of servers) await server[Symbol.asyncDispose]();
  }
});
