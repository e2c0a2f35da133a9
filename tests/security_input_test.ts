// Hostile input, property-based: a small seeded generator feeds random option
// objects, URLs and header maps to `http.createHttp().request()` and to
// Network `open()/send()/setRequestHeader()`. Every call must end in a
// response or a documented error (a BusinessError with 401, 201 or 2300xxx;
// `onerror`), never a synchronous exception, a hang or a crash. Every URL and
// host generated is loopback or invalid: no DNS lookup of a non-local name.

import assert from "node:assert/strict";
import http, { Network } from "../mod.ts";
import { closedPort, serve } from "./_helpers.ts";

const RUNS = 300;
const PER_CALL_MS = 15_000;

/** mulberry32: a tiny seeded PRNG, so a failure replays. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number, serverUrl: string, deadPort: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const chance = (p: number) => r() < p;
  const weirdStrings = [
    "",
    " ",
    "a\r\nInjected: 1",
    "x\nY",
    "nul\0byte",
    "ünïcödé",
    "x".repeat(9000),
    "bad name",
    "(){}",
    "ok-value",
    "%00",
    "\u2028",
  ];
  const junk = (): unknown =>
    pick<() => unknown>([
      () => pick(weirdStrings),
      () => pick([NaN, Infinity, -Infinity, -1, 0, 1.5, 2 ** 53, -(2 ** 31), 1e308, 65536]),
      () => pick([null, undefined, true, false]),
      () => ({ nested: { deep: [1, { x: "y" }] } }),
      () => [1, "two", null],
      () => new Uint8Array(int(64)),
      () => Symbol("s"),
      () => () => 1,
      () => 10n,
    ])();
  const url = (): unknown =>
    chance(0.4) ? `${serverUrl}/v${int(100)}` : pick<() => unknown>([
      () => `${serverUrl}/p${int(100)}?q=${int(1000)}`,
      () => `${serverUrl}/${encodeURIComponent(pick(weirdStrings)).slice(0, 200)}`,
      () => `http://user:pass@127.0.0.1:${deadPort}/`,
      () => `http://127.0.0.1:${deadPort}/`,
      () => `https://127.0.0.1:${deadPort}/`,
      () => `http://[::1]:${deadPort}/`,
      () => `http://localhost:${deadPort}/`,
      () => pick(["ftp://127.0.0.1/", "file:///etc/passwd", "javascript:alert(1)", "data:,x"]),
      () => pick(["ws://127.0.0.1/", "mailto:a@127.0.0.1", "http://", "http://[::1", "://x"]),
      () => `${serverUrl}/a\r\nb`,
      () => `${serverUrl}/ sp ace`,
      () => `http://127.0.0.1:99999/`,
      () => junk(),
    ])();
  const headerMap = (): unknown => {
    if (chance(0.1)) return junk();
    const map: Record<string, unknown> = {};
    const n = chance(0.05) ? 2000 : int(6);
    for (let i = 0; i < n; i++) {
      const name = chance(0.7) ? `x-h${i}` : pick(weirdStrings);
      map[name] = chance(0.6) ? `v${i}` : junk();
    }
    if (chance(0.2)) map["authorization"] = `Bearer ${int(1e6)}`;
    return map;
  };
  const loopHost = () => pick(["127.0.0.1", "localhost", "::1", "[::1]", ""]);
  const options = (): Record<string, unknown> => {
    if (chance(0.35)) {
      // Valid: the server must answer these.
      const header: Record<string, string> = {};
      for (let i = 0; i < int(4); i++) header[`x-ok-${i}`] = `v${int(1000)}`;
      return {
        method: pick(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"]),
        header,
        extraData: pick(["", "body", { a: 1, b: "two" }]),
        readTimeout: 10_000,
        priority: 1 + int(1000),
      };
    }
    const o: Record<string, unknown> = {};
    const keys = [
      "method",
      "extraData",
      "expectDataType",
      "usingCache",
      "priority",
      "header",
      "readTimeout",
      "connectTimeout",
      "usingProtocol",
      "usingProxy",
      "caPath",
      "resumeFrom",
      "resumeTo",
      "clientCert",
      "dnsOverHttps",
      "dnsServers",
      "maxLimit",
      "multiFormDataList",
      "unknownOption",
    ];
    for (const key of keys) {
      if (!chance(0.3)) continue;
      switch (key) {
        case "method":
          o.method = chance(0.6)
            ? pick(["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"])
            : junk();
          break;
        case "header":
          o.header = headerMap();
          break;
        case "readTimeout":
        case "connectTimeout":
          o[key] = chance(0.5) ? 1 + int(5000) : junk();
          break;
        case "usingProxy":
          // Never `true` (the environment's proxy) and never a non-local host name.
          o.usingProxy = chance(0.5)
            ? {
              host: loopHost(),
              port: chance(0.7) ? deadPort : junk(),
              username: chance(0.5) ? "u" : junk(),
              password: chance(0.5) ? "p" : junk(),
              exclusionList: chance(0.5) ? ["127.0.0.1"] : junk(),
            }
            : pick([false, 1, "yes", null, {}]);
          break;
        case "clientCert":
          o.clientCert = chance(0.5)
            ? {
              certPath: pick(["", "/nonexistent.pem", "/etc/hostname"]),
              keyPath: junk(),
              certType: junk(),
            }
            : junk();
          break;
        case "dnsOverHttps":
          o.dnsOverHttps = chance(0.5) ? `https://127.0.0.1:${deadPort}/dns-query` : junk();
          break;
        case "dnsServers":
          o.dnsServers = chance(0.5) ? [`127.0.0.1`, junk()] : junk();
          break;
        case "multiFormDataList":
          o.multiFormDataList = chance(0.5)
            ? [{ name: junk(), contentType: junk(), data: junk() }]
            : junk();
          break;
        default:
          o[key] = junk();
      }
    }
    return o;
  };
  return { url, options, headerMap, junk, pick, chance, int };
}

/** Races a promise against a per-call limit. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what}`)), PER_CALL_MS);
  });
  try {
    return await Promise.race([promise, limit]);
  } finally {
    clearTimeout(timer);
  }
}

function show(value: unknown): string {
  try {
    return JSON.stringify(
      value,
      (_k, v) =>
        typeof v === "string" && v.length > 60
          ? v.slice(0, 60) + "…"
          : typeof v === "bigint" || typeof v === "symbol" || typeof v === "function"
          ? String(v)
          : v,
    )?.slice(0, 400) ?? String(value);
  } catch {
    return String(value);
  }
}

Deno.test("http.request(): random options end in a response or a documented error", async () => {
  await using server = serve(async (req) => {
    await req.body?.cancel();
    return new Response(`ok ${req.method}`);
  });
  const deadPort = closedPort();
  const g = generator(0x5eed, server.url, deadPort);
  const req = http.createHttp();
  const codes = new Map<number, number>();
  try {
    for (let i = 0; i < RUNS; i++) {
      const url = g.url();
      const options = g.options();
      const what = `run ${i}: ${show(url)} ${show(options)}`;
      let promise: Promise<unknown>;
      try {
        promise = req.request(url as string, options as http.HttpRequestOptions);
      } catch (error) {
        assert.fail(`synchronous throw (${String(error)}) in ${what}`);
      }
      assert.ok(promise instanceof Promise, what);
      const outcome = await within(
        promise.then((res) => ({ ok: res as http.HttpResponse }), (error) => ({ error })),
        what,
      );
      if ("ok" in outcome) {
        assert.equal(typeof outcome.ok.responseCode, "number", what);
        codes.set(0, (codes.get(0) ?? 0) + 1);
      } else {
        const e = outcome.error as http.BusinessError;
        assert.equal(e?.name, "BusinessError", `${what}: ${String(outcome.error)}`);
        assert.equal(typeof e.message, "string", what);
        assert.ok(
          e.code === 401 || e.code === 201 || (e.code >= 2_300_000 && e.code <= 2_300_999),
          `${what}: code ${e.code}`,
        );
        assert.notEqual(e.code, 2_300_999, `${what}: internal error ${e.message}`);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
    }
  } finally {
    req.destroy();
  }
  assert.ok((codes.get(0) ?? 0) > 0, "some requests must succeed");
  assert.ok((codes.get(401) ?? 0) > 0, "some requests must be refused with 401");
});

Deno.test("Network open()/setRequestHeader()/send(): random input ends in onload or onerror", async () => {
  await using server = serve(async (req) => {
    await req.body?.cancel();
    return new Response(`ok ${req.method}`);
  });
  const deadPort = closedPort();
  const g = generator(0xc0ffee, server.url, deadPort);
  let loads = 0, errors = 0;
  for (let i = 0; i < RUNS; i++) {
    const method = g.chance(0.7)
      ? g.pick(["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])
      : g.junk();
    const url = g.url();
    const headers = g.headerMap();
    const props: Record<string, unknown> = {};
    if (g.chance(0.3)) props.timeout = g.chance(0.5) ? 1 + g.int(5000) : g.junk();
    if (g.chance(0.2)) props.username = g.chance(0.5) ? "u" : g.junk();
    if (g.chance(0.2)) props.password = g.chance(0.5) ? "p" : g.junk();
    if (g.chance(0.2)) props.autoEncodeUrl = g.junk();
    if (g.chance(0.2)) props.autoRedirect = g.junk();
    const data = g.chance(0.5) ? undefined : g.chance(0.5) ? { a: g.junk(), b: "x" } : g.junk();
    const what = `run ${i}: ${show(method)} ${show(url)} ${show(headers)} ${show(props)}`;
    const done = Promise.withResolvers<"load" | "error">();
    let sendPromise: Promise<void>;
    try {
      const xhr = Network.createHTTPClient({
        onload() {
          done.resolve("load");
        },
        onerror(e) {
          assert.equal(typeof e.code, "number", what);
          assert.equal(typeof e.error, "string", what);
          done.resolve("error");
        },
        // Random properties as a caller might assign them, wrong types included.
        ...(props as object),
      });
      xhr.open(method as string, url as string);
      if (headers && typeof headers === "object") {
        for (const [name, value] of Object.entries(headers)) {
          try {
            xhr.setRequestHeader(name, value as string);
          } catch (error) {
            // setRequestHeader throws only InvalidStateError while a request runs.
            assert.fail(`setRequestHeader threw ${String(error)} in ${what}`);
          }
        }
      }
      sendPromise = xhr.send(data as string);
    } catch (error) {
      assert.fail(`synchronous throw (${String(error)}) in ${what}`);
    }
    await within(sendPromise, what);
    const outcome = await within(done.promise, what);
    if (outcome === "load") loads++;
    else errors++;
  }
  assert.ok(loads > 0 && errors > 0, `loads ${loads}, errors ${errors}`);
});
