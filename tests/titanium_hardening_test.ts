// deno-lint-ignore-file no-console
// Hostile input to the Titanium face: app callbacks that throw, hostile
// header names, and bodies that inflate without bound (issue 16).

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import { serve } from "./_helpers.ts";

/** Runs `body` with console.error captured; returns what was logged. */
async function capturingErrors(body: () => Promise<void>): Promise<string[]> {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => logged.push(args.map(String).join(" "));
  try {
    await body();
  } finally {
    console.error = original;
  }
  return logged;
}

Deno.test("a callback that throws is reported and the transfer's own outcome stands", async () => {
  await using server = serve((req) =>
    new URL(req.url).pathname === "/missing"
      ? new Response("no", { status: 404 })
      : new Response("x".repeat(100_000))
  );
  const seen: string[] = [];
  const logged = await capturingErrors(async () => {
    const xhr = Network.createHTTPClient({
      onreadystatechange(e) {
        seen.push(`state ${e.readyState}`);
        throw new Error("from onreadystatechange");
      },
      ondatastream() {
        throw new Error("from ondatastream");
      },
      onsendstream() {
        throw new Error("from onsendstream");
      },
      onload() {
        seen.push(`load ${String(this.responseText).length}`);
        throw new Error("from onload");
      },
    });
    xhr.open("POST", `${server.url}/`);
    await xhr.send("data");
    const failing = Network.createHTTPClient({
      onerror(e) {
        seen.push(`error ${e.code}`);
        throw new Error("from onerror");
      },
    });
    failing.open("GET", `${server.url}/missing`);
    await failing.send();
  });
  assert.deepEqual(seen, ["state 1", "state 2", "state 3", "state 4", "load 100000", "error 404"]);
  for (const where of ["onreadystatechange", "ondatastream", "onsendstream", "onload", "onerror"]) {
    assert.ok(logged.some((line) => line.includes(where)), `${where} reported`);
  }
});

/** 1 GiB of zeros, brotli-compressed into 841 bytes (issue 16's bomb). */
const BOMB_1G = Uint8Array.from(
  atob(
    "z///f/gnAOKxQCD3/p/////wTwDEYQGA7v0/////4Z8AiMMiAN37f/7//8M/ARCHBQC69//8//+HfwIgDgsAdO//+f" +
      "//D/8EQBwWAOje//P//x/+CYA4LADQvf/n//8//BMAcVgAoHv/z///f/gnAOKwAED3/p/////wTwDEYQGA7v0/////" +
      "4Z8AiMMCAN37f/7//8M/ARCHBQC69//8//+HfwIgDgsAdO//+f//D/8EQBwWAOje//P//x/+CYA4LADQvf/n//8//B" +
      "MAcVgAoHv/z///f/gnAOKwAED3/p/////wTwDEYQGA7v0/////4Z8AiMMCAN37f/7//8M/ARCHBQC69//8//+HfwIg" +
      "DgsAdO//+f//D/8EQBwWAOje//P//x/+CYA4LADQvf/n//8//BMAcVgAoHv/z///f/gnAOKwAED3/p/////wTwDEYQ" +
      "GA7v0/////4Z8AiMMCAN37f/7//8M/ARCHBQC69//8//+HfwIgDgsAdO//+f//D/8EQBwWAOje//P//x/+CYA4LADQ" +
      "vf/n//8//BMAcVgAoHv/z///f/gnAOKwAED3/p/////wTwDEYQGA7v0/////4Z8AiMMCAN37f/7//8M/ARCHBQC69/" +
      "/8//+HfwIgDgsAdO//+f//D/8EQBwWAOje//P//x/+CYA4LADQvf/n//8//BMAcVgAoHv/z///f/gnAOKwAED3/p//" +
      "///wTwDEYQGA7v0/////4Z8AiMMCAN37f/7//8M/ARCHBQC69//8//+HfwIgDgsAdO//+f//D/8EQBwWAOje//P//x" +
      "/+CYA4LADQvf/n//8//BMAcVgAoHv/z///f/gnAOKwAED3/p/////wTwDEYQGA7v0/////4Z8AiMMCAN37f/7//8M/" +
      "ARCHBQC69//8//+HfwIgDgsAdO//+f//D/8EQBwWAOje//P//x/+CYA4LADQvf/n//8//BMAcVgAoHv/z///f/gnAO" +
      "KwAED3/p/////wTwDEYQGA7v0/////4Z8AiMMCAN37f/7//8M/ARCHBQC69//8//+HfwIgDgsAdO//+f//D/8EQBwW" +
      "AOje//P//x/+CYA4LADQvf/n//8//BMAcVgAoHv/Pw==",
  ),
  (c) => c.charCodeAt(0),
);

/** 64 MiB of zeros, brotli-compressed into 53 bytes. */
const BOMB_64M = Uint8Array.from(
  atob("z///f/gnAOKxQCD3/p/////wTwDEYQGA7v0/////4Z8AiMMiAN37//z//8c/ARCHBQC69/8="),
  (c) => c.charCodeAt(0),
);

/** A server that answers every request with `bomb` as a brotli-encoded body. */
function bombServer(bomb: Uint8Array) {
  return serve(() =>
    new Response(bomb as Uint8Array<ArrayBuffer>, {
      headers: { "content-encoding": "br", "content-type": "application/octet-stream" },
    })
  );
}

Deno.test("maxResponseSize: a brotli bomb ends in onerror -1103 at the default limit, memory bounded", async () => {
  await using server = bombServer(BOMB_1G);
  for (const streams of [false, true]) {
    const before = Deno.memoryUsage().rss;
    const errors: Array<{ code: number; error: string }> = [];
    let loads = 0;
    const xhr = Network.createHTTPClient({
      onload: () => loads++,
      onerror: (e) => errors.push({ code: e.code, error: e.error }),
      // ondatastream makes the body stream chunk by chunk: the limit holds there too.
      ondatastream: streams ? () => {} : null,
    });
    xhr.open("GET", `${server.url}/`);
    await xhr.send();
    assert.equal(loads, 0);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, -1103);
    assert.match(errors[0]!.error, /larger than maxResponseSize \(67108864 bytes\)/);
    assert.equal(xhr.responseText, "");
    const grown = Deno.memoryUsage().rss - before;
    assert.ok(grown < 512 * 1024 * 1024, `RSS grew by ${grown} bytes`);
  }
});

Deno.test("maxResponseSize: configurable, counted on decoded bytes, off only on request", async () => {
  await using bombs = bombServer(BOMB_64M);
  const small = Network.createHTTPClient({ maxResponseSize: 1024 * 1024 });
  const seen: number[] = [];
  small.onerror = (e) => seen.push(e.code);
  small.open("GET", `${bombs.url}/`);
  await small.send();
  assert.deepEqual(seen, [-1103], "53 compressed bytes, but 64 MiB decoded");

  await using plain = serve(() => new Response(new Uint8Array(2 * 1024 * 1024)));
  const declared = Network.createHTTPClient({ maxResponseSize: 1024 * 1024 });
  let code = 0;
  declared.onerror = (e) => code = e.code;
  declared.open("GET", `${plain.url}/`);
  await declared.send();
  assert.equal(code, -1103, "a declared length over the limit fails before the body is read");

  const off = Network.createHTTPClient({ maxResponseSize: 0 });
  let loaded = 0;
  off.onload = function () {
    loaded = this.responseData.length;
  };
  off.open("GET", `${bombs.url}/`);
  await off.send();
  assert.equal(loaded, 64 * 1024 * 1024, "0 turns the limit off");

  const bad = Network.createHTTPClient({ maxResponseSize: -1 });
  let message = "";
  bad.onerror = (e) => message = e.error;
  bad.open("GET", `${plain.url}/`);
  await bad.send();
  assert.match(message, /'maxResponseSize'/);
});

Deno.test("maxResponseSize: a file download streams to disk, limited only when asked", async () => {
  await using server = bombServer(BOMB_64M);
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/zeros.bin`;
    const unlimited = Network.createHTTPClient({ file: path });
    let loads = 0;
    unlimited.onload = () => loads++;
    unlimited.open("GET", `${server.url}/`);
    await unlimited.send();
    assert.equal(loads, 1);
    assert.equal((await Deno.stat(path)).size, 64 * 1024 * 1024);
    assert.equal(unlimited.responseData.length, 64 * 1024 * 1024, "responseData reads the file");
    assert.equal(unlimited.responseData.nativePath, path);
    await Deno.remove(path);

    const limited = Network.createHTTPClient({ file: path, maxResponseSize: 1024 * 1024 });
    let code = 0;
    limited.onerror = (e) => code = e.code;
    limited.open("GET", `${server.url}/`);
    await limited.send();
    assert.equal(code, -1103);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), [], "nothing left behind");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("responseHeaders is a null-prototype object; __proto__ and constructor are plain headers", async () => {
  await using server = serve(() =>
    new Response("ok", {
      headers: [["__proto__", "polluted"], ["constructor", "c"], ["X-Twice", "a"], [
        "x-twice",
        "b",
      ]],
    })
  );
  const xhr = Network.createHTTPClient();
  xhr.open("GET", `${server.url}/`);
  await xhr.send();
  const headers = xhr.responseHeaders;
  assert.equal(Object.getPrototypeOf(headers), null);
  assert.equal(headers["__proto__"], "polluted");
  assert.equal(headers["constructor"], "c");
  assert.equal(headers["X-Twice"], "a, b");
  assert.equal(({} as Record<string, unknown>).polluted, undefined, "no prototype was touched");
  assert.equal(xhr.getResponseHeader("__proto__"), "polluted");
  assert.equal(JSON.parse(JSON.stringify(headers))["x-twice"], "a, b");
});
