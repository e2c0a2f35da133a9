// URLs and credentials on both faces and the CLI, against loopback servers: a URL written
// as https never goes out in plaintext (WHATWG parsing of `https:/host`), a redirect's
// userinfo never becomes credentials, and no password (raw or percent-encoded, with `#`,
// `?`, `@` or `/` in it) appears in any message, log line or `cause`.

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import type { FailureResponse } from "../mod.ts";
import { closedPort, createHttp, rawServer, serve } from "./_helpers.ts";

const ROOT = new URL("../", import.meta.url);
const decoder = new TextDecoder();

/** One Network request; resolves with onload's status or onerror's event. */
function network(method: string, url: string): Promise<{ load?: number; error?: FailureResponse }> {
  return new Promise((resolve) => {
    const xhr = Network.createHTTPClient({
      timeout: 10_000,
      onload() {
        resolve({ load: this.status });
      },
      onerror(e) {
        resolve({ error: e });
      },
    });
    xhr.open(method, url);
    xhr.send();
  });
}

/** A raw listener that records the first bytes of each connection: a TLS ClientHello starts with 0x16. */
function firstBytesServer() {
  const firsts: number[] = [];
  const server = rawServer(async (conn) => {
    const buffer = new Uint8Array(1);
    if (await conn.read(buffer) === 1) firsts.push(buffer[0]!);
  });
  return Object.assign(server, { firsts });
}

/** Runs the CLI with `args`; its exit code and everything it printed. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("cli.ts", ROOT).pathname, ...args],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, text: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

Deno.test("url: https:/host:port (one slash) goes out as TLS to host:port on both faces and the CLI", async () => {
  await using server = firstBytesServer();
  const { port } = server;
  using req = createHttp();
  const urls = [`https:/127.0.0.1:${port}/x?token=1`, `HTTPS:127.0.0.1:${port}/x`];
  for (const url of urls) {
    const error = await req.request(url).then(() => null, (e) => e);
    assert.ok(error, `${url}: TLS to a plaintext listener must fail`);
    const outcome = await network("GET", url);
    assert.ok(outcome.error, `${url}: ${JSON.stringify(outcome)}`);
  }
  const run = await cli(["-sS", `https:/127.0.0.1:${port}/x`]);
  assert.notEqual(run.code, 0, run.text);
  assert.ok(server.firsts.length >= 5, `the listener saw ${server.firsts.length} connections`);
  assert.deepEqual(server.firsts.filter((b) => b !== 0x16), [], "every connection began with TLS");
});

Deno.test("url: http:/host:port (one slash) reaches host:port on both faces", async () => {
  await using server = serve((request) => new Response(new URL(request.url).pathname));
  const url = `http:/127.0.0.1:${server.addr.port}/one-slash`;
  using req = createHttp();
  assert.equal((await req.request(url)).result, "/one-slash");
  assert.equal((await network("GET", url)).load, 200);
});

Deno.test("url: a redirect's userinfo never becomes credentials, on both faces", async () => {
  const seen: (string | null)[] = [];
  await using server = serve((request) => {
    const url = new URL(request.url);
    if (url.pathname === "/start") {
      return new Response(null, {
        status: 302,
        headers: { location: `http://evil:chosen@127.0.0.1:${url.port}/landed` },
      });
    }
    seen.push(request.headers.get("authorization"));
    return new Response("landed");
  });
  using req = createHttp();
  const res = await req.request(`${server.url}/start`);
  assert.equal(res.result, "landed");
  assert.equal((await network("GET", `${server.url}/start`)).load, 200);
  assert.deepEqual(seen, [null, null], "no Authorization reached the target");
});

const SECRET = "Pa#ss?w@rd/1";
const ENCODED = encodeURIComponent(SECRET);
/** Pieces of the password in every form it could leak in. */
const LEAKS = [
  "Pa#ss",
  "ss?w",
  "w@rd",
  "rd/1",
  ENCODED,
  "Pa%23",
  "%3Fw",
  "%40rd",
  btoa(`user:${SECRET}`),
];

function assertNoSecret(text: string, what: string): void {
  for (const leak of LEAKS) assert.ok(!text.includes(leak), `${what} leaks '${leak}':\n${text}`);
}

Deno.test("url: no password appears in any message, log line or cause of either face", async () => {
  const closed = closedPort();
  const script = `
    import http, { Network } from "./mod.ts";
    import { buildStack } from "./src/core/stack.ts";
    const closed = ${closed};
    const raw = ${JSON.stringify(SECRET)};
    const enc = ${JSON.stringify(ENCODED)};
    const show = (label, value) => console.log(label, JSON.stringify(value));
    const chain = (e) => { const out = []; for (let x = e; x; x = x.cause) out.push(String(x?.message ?? x), String(x?.stack ?? "")); return out; };
    const ohos = async (label, url, options) => {
      const req = http.createHttp();
      try { show(label, await req.request(url, { connectTimeout: 5000, readTimeout: 5000, ...options })); }
      catch (e) { show(label, e); }
      finally { req.destroy(); }
    };
    const ti = (label, url) => new Promise((resolve) => {
      const xhr = Network.createHTTPClient({ timeout: 5000,
        onload() { show(label, this.status); resolve(); },
        onerror(e) { show(label, e); resolve(); } });
      xhr.open("GET", url); xhr.send();
    });
    for (const [label, pw] of [["raw", raw], ["encoded", enc]]) {
      await ohos(label + " url", "http://user:" + pw + "@127.0.0.1:" + closed + "/x");
      await ohos(label + " url without scheme", "user:" + pw + "@127.0.0.1:" + closed + "/x");
      await ohos(label + " url one slash", "https:/user:" + pw + "@127.0.0.1:" + closed + "/x");
      await ohos(label + " proxy host", "http://127.0.0.1:" + closed + "/", { usingProxy: { host: "http://user:" + pw + "@127.0.0.1", port: closed } });
      await ohos(label + " proxy host https", "https://127.0.0.1:" + closed + "/", { usingProxy: { host: "user:" + pw + "@127.0.0.1", port: closed } });
      await ohos(label + " environment proxy", "http://127.0.0.1:" + closed + "/", { usingProxy: true });
      await ti(label + " Network url", "http://user:" + pw + "@127.0.0.1:" + closed + "/x");
      await ti(label + " Network url one slash", "http:/user:" + pw + "@127.0.0.1:" + closed + "/x");
      await ti(label + " Network url without scheme", "user:" + pw + "@127.0.0.1:" + closed + "/x");
    }
    await ohos("proxy password", "http://127.0.0.1:" + closed + "/", { usingProxy: { host: "127.0.0.1", port: closed, username: "user", password: raw } });
    const stack = buildStack({ cache: null, scheduler: null });
    const dispatch = stack.dispatch;
    try {
      await dispatch({ url: new URL("http://127.0.0.1:" + closed + "/"), method: "GET", headers: new Headers(), body: null,
        totalTimeout: 5000, connectTimeout: 5000, maxBodySize: 1e6, protocol: "auto", maxRedirects: 5, bodyMode: "buffer",
        priority: 1, cookies: null, startTime: performance.now(), signal: null,
        transport: { caPath: null, clientCert: null, dns: null, exactConnectTimeout: false,
          proxy: { url: new URL("http://127.0.0.1:" + closed), exclusionList: [], credentials: { username: "user", password: raw } } } }, {});
    } catch (e) { show("core cause chain", chain(e)); }
    stack.close();
  `;
  for (
    const proxy of [
      `http://user:${SECRET}@127.0.0.1:${closed}`,
      `http://user:${ENCODED}@127.0.0.1:${closed}`,
    ]
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--allow-net", "--allow-env", "--allow-read", script],
      cwd: new URL(".", ROOT).pathname,
      env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", HTTP_PROXY: proxy, HTTPS_PROXY: proxy },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = decoder.decode(out.stdout) + decoder.decode(out.stderr);
    assert.ok(out.success, text);
    assert.match(text, /core cause chain/);
    assertNoSecret(text, "the faces' output");
  }
  for (const pw of [SECRET, ENCODED]) {
    const runs = [
      await cli(["-sS", `http://user:${pw}@127.0.0.1:${closed}/x`]),
      await cli([
        "-sS",
        "-x",
        `http://user:${pw}@127.0.0.1:${closed}`,
        `http://127.0.0.1:${closed}/`,
      ]),
      await cli(["-sS", `http://127.0.0.1:${closed}/`], {
        HTTP_PROXY: `http://user:${pw}@127.0.0.1:${closed}`,
      }),
    ];
    for (const run of runs) {
      assert.match(run.text, /^netstack: /, "the CLI ran and failed with a message");
      assertNoSecret(run.text, "the CLI");
    }
  }
});

Deno.test("url: redacting a hostile 100 KB Location costs what reading it costs (no quadratic scan)", async () => {
  const long = "a".repeat(100_000);
  await using server = serve((request) => {
    const hostile = new URL(request.url).pathname === "/hostile";
    // Not a URL (an unclosed IPv6 literal), so the message quotes it; the "@" asks for redaction.
    const location = `http://${long} ${hostile ? "@" : "x"}[bad`;
    return new Response(null, { status: 302, headers: { location } });
  });
  using req = createHttp();
  const time = async (path: string) => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const error = await req.request(`${server.url}${path}`).then(() => null, (e) => e);
      runs.push(performance.now() - start);
      assert.equal(error?.code, 2300003, error?.message);
    }
    return runs.sort((a, b) => a - b)[1]!;
  };
  const plain = await time("/plain");
  const hostile = await time("/hostile");
  assert.ok(hostile < 20 * plain, `hostile ${hostile} ms against ${plain} ms`);
});
