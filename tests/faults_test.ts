// Faults on loopback, each checked on BOTH faces: the `http` face rejects with
// its documented code and the `Network` face ends in `onerror` with its code,
// readyState DONE and no `onload`, each within its timeout. Cases errors_test.ts
// already covers for the http face are repeated only as far as the Network face
// needs a server for them. Runs under --sanitize-ops --sanitize-resources.

import assert from "node:assert/strict";
import net from "node:net";
import http, { Network } from "../mod.ts";
import type { BusinessError, HttpRequestOptions } from "../mod.ts";
import { closedPort, faultServer, serve, testWith, untilClosed, write } from "./_helpers.ts";
import { certDir, makeCa, makeCert, OPENSSL } from "./_tls.ts";
import { useSocketByDefault } from "../src/core/router.ts";

const DONE = 4;

/** Runs the http face; resolves with the error code (or "ok"), the message and the time taken. */
async function viaHttp(
  url: string,
  options: HttpRequestOptions = {},
): Promise<{ code: number | "ok"; message: string; ms: number }> {
  const req = http.createHttp();
  const start = performance.now();
  try {
    await req.request(url, options);
    return { code: "ok", message: "", ms: performance.now() - start };
  } catch (error) {
    const e = error as BusinessError;
    assert.equal(e.name, "BusinessError");
    return { code: e.code, message: e.message, ms: performance.now() - start };
  } finally {
    req.destroy();
  }
}

/** Runs the Network face; the onerror code (or "ok" after onload), readyState and time taken. */
async function viaNetwork(
  url: string,
  settings: { timeout?: number; file?: string; maxResponseSize?: number } = {},
): Promise<{ code: number | "ok"; error: string; readyState: number; ms: number }> {
  let loads = 0;
  let errors = 0;
  let code: number | "ok" = "ok";
  let text = "";
  const xhr = Network.createHTTPClient({
    ...settings,
    onload() {
      loads++;
    },
    onerror(e) {
      errors++;
      code = e.code;
      text = e.error ?? "";
    },
  });
  const start = performance.now();
  xhr.open("GET", url);
  await xhr.send();
  const ms = performance.now() - start;
  assert.equal(loads + errors, 1, `exactly one of onload/onerror (${loads}/${errors})`);
  return { code, error: text, readyState: xhr.readyState, ms };
}

/** Both faces against `url`: the http code, the Network code, all within `withinMs`. */
async function expectBoth(
  url: string,
  expected: { http: number | "ok"; network: number | "ok" },
  opts: {
    http?: HttpRequestOptions;
    network?: { timeout?: number };
    withinMs?: number;
    atLeastMs?: number;
  } = {},
): Promise<void> {
  const within = opts.withinMs ?? 5_000;
  const h = await viaHttp(url, { readTimeout: 5_000, ...opts.http });
  assert.equal(h.code, expected.http, `http: ${h.code} (${h.message}), expected ${expected.http}`);
  assert.ok(h.ms < within, `http took ${Math.round(h.ms)} ms, limit ${within}`);
  const n = await viaNetwork(url, { timeout: 5_000, ...opts.network });
  assert.equal(n.code, expected.network, `Network: ${n.code} (${n.error})`);
  assert.equal(n.readyState, DONE);
  assert.ok(n.ms < within, `Network took ${Math.round(n.ms)} ms, limit ${within}`);
  if (opts.atLeastMs !== undefined) {
    assert.ok(h.ms >= opts.atLeastMs * 0.9, `http ended early: ${h.ms}`);
    assert.ok(n.ms >= opts.atLeastMs * 0.9, `Network ended early: ${n.ms}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A node:net server that writes `head` (maybe empty) after the request, then sends RST. */
async function resetServer(head: string) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", () => {
      if (head) socket.write(head, () => socket.resetAndDestroy());
      else socket.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  tls: testWith(OPENSSL),
};

Deno.test("faults: connection refused", async () => {
  await expectBoth(`http://127.0.0.1:${closedPort()}/`, { http: 2300007, network: -1004 });
});

Deno.test("faults: reset before headers", async () => {
  await using server = await resetServer("");
  // As curl: "Recv failure: Connection reset by peer" is 56; Network: connection lost.
  await expectBoth(server.url, { http: 2300056, network: -1005 });
});

Deno.test("faults: reset mid-body", async () => {
  await using withLength = await resetServer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello");
  await expectBoth(withLength.url, { http: 2300018, network: -1005 });
  await using chunked = await resetServer(
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
  );
  await expectBoth(chunked.url, { http: 2300056, network: -1005 });
});

Deno.test("faults: Content-Length longer than the body", async () => {
  await using server = faultServer((conn) =>
    write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello")
  );
  await expectBoth(server.url, { http: 2300018, network: -1005 });
});

Deno.test("faults: a Content-Length of a terabyte over a 5-byte body", async () => {
  // Read into arrays of at most 8 MiB: the declared size is never allocated up front.
  await using server = faultServer((conn) =>
    write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\nhello")
  );
  const n = await viaNetwork(server.url, { timeout: 5_000 });
  // Over the Network face's default maxResponseSize (64 MiB): refused from the header alone.
  assert.equal(n.code, -1103, n.error);
  assert.ok(n.ms < 2_000, `Network took ${n.ms}`);
  const unlimited = await viaNetwork(server.url, { timeout: 5_000, maxResponseSize: 0 });
  assert.equal(unlimited.code, -1005, unlimited.error);
  assert.ok(unlimited.ms < 2_000, `Network took ${unlimited.ms}`);
  const h = await viaHttp(server.url, { maxLimit: 100 * 1024 * 1024 });
  assert.equal(h.code, 2300023, h.message); // over maxLimit, refused from the header alone
});

Deno.test("faults: chunked encoding cut short", async () => {
  await using server = faultServer((conn) =>
    write(conn, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
  );
  await expectBoth(server.url, { http: 2300056, network: -1005 });
});

Deno.test("faults: accepts and never answers", async () => {
  await using server = faultServer(untilClosed);
  await expectBoth(server.url, { http: 2300028, network: -1001 }, {
    http: { readTimeout: 300 },
    network: { timeout: 300 },
    withinMs: 2_000,
    atLeastMs: 300,
  });
});

Deno.test("faults: headers then stall", async () => {
  await using server = faultServer(async (conn) => {
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhello");
    await untilClosed(conn);
  });
  await expectBoth(server.url, { http: 2300028, network: -1001 }, {
    http: { readTimeout: 300 },
    network: { timeout: 300 },
    withinMs: 2_000,
    atLeastMs: 300,
  });
});

Deno.test("faults: a slow drip under the limit succeeds, over it times out", async () => {
  // 10 body bytes, one every `gap` ms. http's readTimeout bounds the whole
  // response; Network's timeout is an idle limit (no body chunk for that long).
  let gap = 40;
  await using server = faultServer(async (conn) => {
    const step = gap;
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n");
    try {
      for (let i = 0; i < 10; i++) {
        await sleep(step);
        await write(conn, "x");
      }
    } catch { /* the client gave up */ }
  });
  // Under: 10 × 40 ms = 400 ms in all < 3 s.
  const ok = await viaHttp(server.url, { readTimeout: 3_000 });
  assert.equal(ok.code, "ok", ok.message);
  // Under: 80 ms gaps < 300 ms idle, although the whole body takes 800 ms > 300 ms.
  gap = 80;
  const nOk = await viaNetwork(server.url, { timeout: 300 });
  assert.equal(nOk.code, "ok", nOk.error);
  assert.equal(nOk.readyState, DONE);
  // Over: http 10 × 80 ms > 200 ms in all.
  const h = await viaHttp(server.url, { readTimeout: 200 });
  assert.equal(h.code, 2300028, h.message);
  assert.ok(h.ms < 1_500, `http took ${h.ms}`);
  // Over: Network 150 ms gaps > 100 ms idle.
  gap = 150;
  const n = await viaNetwork(server.url, { timeout: 100 });
  assert.equal(n.code, -1001, n.error);
  assert.equal(n.readyState, DONE);
  assert.ok(n.ms < 1_500, `Network took ${n.ms}`);
});

Deno.test("faults: on the engine, a small sized body dripping under Network's idle limit completes", async () => {
  // The engine reads such a body in one go; each piece must still count as progress.
  const before = useSocketByDefault(true);
  await using server = faultServer(async (conn) => {
    await write(conn, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\n");
    try {
      for (let i = 0; i < 6; i++) {
        await sleep(80);
        await write(conn, "x");
      }
    } catch { /* the client gave up */ }
  });
  try {
    // 80 ms gaps < 250 ms idle, although the whole body takes 480 ms > 250 ms.
    const ok = await viaNetwork(server.url, { timeout: 250 });
    assert.equal(ok.code, "ok", ok.error);
    assert.ok(ok.ms >= 400, `took ${ok.ms}`);
  } finally {
    useSocketByDefault(before);
  }
});

Deno.test("faults: malformed status line and malformed header", async () => {
  for (
    const head of [
      "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
      "NOTHTTP 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nbad header: x\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno-colon-here\r\nContent-Length: 0\r\n\r\n",
    ]
  ) {
    await using server = faultServer((conn) => write(conn, head));
    await expectBoth(server.url, { http: 2300008, network: -1011 });
  }
});

Deno.test("faults: a redirect loop", async () => {
  await using server = serve(() =>
    new Response(null, { status: 302, headers: { location: "/again" } })
  );
  await expectBoth(server.url, { http: 2300047, network: -1007 });
});

Deno.test("faults: a redirect to an unsupported scheme (ftp:, file:)", async () => {
  for (const target of ["ftp://127.0.0.1/x", "file:///etc/passwd"]) {
    await using server = serve(() =>
      new Response(null, { status: 302, headers: { location: target } })
    );
    await expectBoth(server.url, { http: 2300001, network: -1002 });
  }
});

Deno.test("faults: a corrupt gzip body", async () => {
  const garbage = "\x1f\x8b\x08\x00garbage-garbage-garbage";
  await using server = faultServer((conn) =>
    write(
      conn,
      `HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: ${garbage.length}\r\n\r\n` +
        garbage,
    )
  );
  await expectBoth(server.url, { http: 2300061, network: -1016 });
});

/** `size` zero bytes, gzip-compressed. */
async function gzipZeros(size: number): Promise<Uint8Array<ArrayBuffer>> {
  const chunk = new Uint8Array(1024 * 1024);
  const stream = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (size <= 0) return controller.close();
      const n = Math.min(size, chunk.length);
      size -= n;
      controller.enqueue(chunk.subarray(0, n));
    },
  }).pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("faults: a gzip bomb stops at maxLimit with bounded memory", async () => {
  const bomb = await gzipZeros(50 * 1024 * 1024);
  assert.ok(bomb.byteLength < 200 * 1024, `compressed to ${bomb.byteLength} bytes`);
  await using server = serve(() => new Response(bomb, { headers: { "content-encoding": "gzip" } }));
  const before = Deno.memoryUsage().rss;
  const limit = 1024 * 1024;
  for (let i = 0; i < 3; i++) {
    const h = await viaHttp(server.url, { maxLimit: limit });
    assert.equal(h.code, 2300023, h.message);
    assert.ok(h.ms < 3_000, `took ${h.ms} ms`);
    assert.match(h.message, /maxLimit/);
  }
  const grown = Deno.memoryUsage().rss - before;
  assert.ok(grown < 64 * 1024 * 1024, `RSS grew by ${grown} bytes`);
  // Network has no size limit: its `file` download streams the 50 MiB to disk
  // without holding it in memory.
  const dir = await Deno.makeTempDir({ prefix: "netstack-bomb-" });
  try {
    const n = await viaNetwork(server.url, { file: `${dir}/out.bin`, timeout: 10_000 });
    assert.equal(n.code, "ok", n.error);
    assert.equal(n.readyState, DONE);
    assert.equal((await Deno.stat(`${dir}/out.bin`)).size, 50 * 1024 * 1024);
    // No RSS bound here: Deno's fetch hands the decoded body over in 4 KiB
    // buffers that V8 frees lazily (a bare fetch loop shows the same growth).
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

test.tls("faults: TLS with an expired and with a wrong-name certificate", async () => {
  await using dir = await certDir("netstack-faults-tls-");
  if (!dir) return;
  const ca = await makeCa(dir.path, "ca", { cn: "netstack faults CA", key: "rsa" });
  const certs = {
    // Valid name, but valid only on 1-2 January 2020.
    expired: await makeCert(dir.path, "expired", ca, {
      cn: "expired",
      key: "rsa",
      san: "IP:127.0.0.1",
      notBefore: new Date("2020-01-01T00:00:00Z"),
      notAfter: new Date("2020-01-02T00:00:00Z"),
    }),
    // Currently valid, but for other.test only.
    wrongname: await makeCert(dir.path, "wrongname", ca, {
      cn: "wrongname",
      key: "rsa",
      san: "DNS:other.test",
      days: 1,
    }),
  };
  const cases = [["expired", /expired/i], ["wrongname", /NotValidForName|name/i]] as const;
  for (const [name, reason] of cases) {
    let served = 0;
    await using server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      cert: await Deno.readTextFile(certs[name].pem),
      key: await Deno.readTextFile(certs[name].key),
      onListen() {},
      onError: () => new Response("", { status: 500 }),
    }, () => {
      served++;
      return new Response("secret");
    });
    const url = `https://127.0.0.1:${server.addr.port}/`;
    // With the CA trusted, the expiry / the name is the only reason to refuse.
    const h = await viaHttp(url, { caPath: ca.pem, readTimeout: 5_000 });
    assert.equal(h.code, 2300060, `${name}: ${h.code} ${h.message}`);
    assert.match(h.message, reason);
    // Network has no CA setting: the certificate is refused (untrusted) as well.
    const n = await viaNetwork(url, { timeout: 5_000 });
    assert.equal(n.code, -1202, `${name}: ${n.code} ${n.error}`);
    assert.equal(n.readyState, DONE);
    assert.equal(served, 0, "no request got through the failed handshake");
  }
});

Deno.test("faults: a file download killed by SIGKILL leaves nothing at the target", async () => {
  const dir = await Deno.makeTempDir({ prefix: "netstack-kill-" });
  const target = `${dir}/download.bin`;
  // Sends a long body slowly: 256 KiB every 20 ms, until the client goes away.
  await using server = faultServer(async (conn) => {
    await write(conn, `HTTP/1.1 200 OK\r\nContent-Length: ${1024 * 1024 * 1024}\r\n\r\n`);
    const chunk = new Uint8Array(256 * 1024).fill(7);
    try {
      for (;;) {
        await write(conn, chunk);
        await sleep(20);
      }
    } catch { /* the child was killed */ }
  });
  const child = `${dir}/child.ts`;
  await Deno.writeTextFile(
    child,
    `import { Network } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).href)};
let said = false;
const xhr = Network.createHTTPClient({
  file: ${JSON.stringify(target)},
  timeout: 30000,
  ondatastream(e) {
    if (!said && e.progress > 0.002) { said = true; console.log("receiving"); }
  },
});
xhr.open("GET", ${JSON.stringify(server.url)});
await xhr.send();
`,
  );
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      child,
    ],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let out = "";
    while (!out.includes("receiving")) {
      const { done, value } = await reader.read();
      if (done) break;
      out += value;
    }
    assert.match(out, /receiving/);
    // Some of the body is on disk (more than one 1 MiB write), then: SIGKILL.
    await sleep(300);
    process.kill("SIGKILL");
    await reader.cancel();
    const status = await process.status;
    assert.equal(status.signal, "SIGKILL");
    const names = [];
    for await (const entry of Deno.readDir(dir)) names.push(entry.name);
    assert.ok(!names.includes("download.bin"), `the target exists: ${names}`);
    const temps = names.filter((n) => n !== "child.ts");
    // The killed child left its partial temporary file, under another name.
    assert.equal(temps.length, 1, `left behind: ${temps}`);
    assert.match(temps[0]!, /^\.download\.bin\.[0-9a-f]+\.part$/);
    assert.ok((await Deno.stat(`${dir}/${temps[0]}`)).size > 0, "the kill came mid-transfer");

    // The next run recovers: a new download to the same target completes and replaces nothing else.
    const body = new Uint8Array(300_000).map((_, i) => i % 251);
    await using again = serve(() => new Response(body));
    await new Promise<void>((resolve, reject) => {
      const xhr = Network.createHTTPClient({
        file: target,
        onload: () => resolve(),
        onerror: (e) => reject(new Error(`onerror ${e.code} ${e.error}`)),
      });
      xhr.open("GET", again.url);
      xhr.send();
    });
    const written = await Deno.readFile(target);
    assert.ok(written.length === body.length && written.every((b, i) => b === body[i]));
  } finally {
    try {
      process.kill("SIGKILL");
    } catch { /* already ended */ }
    await process.status;
    await Deno.remove(dir, { recursive: true });
  }
});
