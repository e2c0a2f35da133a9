// The response cache across machines: a KV Connect store (tests/_kv_connect_server.ts,
// a protocol-level server in its own process) shared by real `deno run`
// children. Entries are shared, concurrent writers leave the store sound,
// delete() empties it for everyone, a wrong token is one clear warning (or an
// error when the cache is required), and a store killed mid-run costs a
// request at most the store deadline, then comes back.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { checkConsistency } from "../src/cache/consistency.ts";
import { bodyBytes, KiB, origin, runChild, sha256, spawnChild, tempDir } from "./_cache_helpers.ts";

const SERVER = fileURLToPath(new URL("./_kv_connect_server.ts", import.meta.url));
const TOKEN = "the-access-token-9f3e";

/** Starts the KV Connect server as a child process over `path`, on `port` (0: any). */
async function kvServer(path: string, port = 0) {
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", "--unstable-kv", SERVER, String(port), path, TOKEN],
    env: { DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening (\d+)/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the KV Connect server did not start: ${text}`);
    text += value;
  }
  reader.releaseLock();
  const bound = Number(/listening (\d+)/.exec(text)![1]);
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}/`,
    async [Symbol.asyncDispose]() {
      try {
        process.kill("SIGKILL");
      } catch { /* already gone */ }
      await process.status;
      await process.stdout.cancel().catch(() => {});
    },
  };
}

const withToken = (token = TOKEN) => ({ DENO_KV_ACCESS_TOKEN: token });
/** Sharing tests are not about deadlines: a generous one, for a loaded machine. */
const PATIENT = 10_000;

/** An origin of cacheable bodies: /big is chunked in the store (200 KiB), the rest inline. */
function cacheableOrigin() {
  return origin((_request, url) => {
    const seed = url.pathname.length + url.pathname.charCodeAt(url.pathname.length - 1);
    const size = url.pathname.startsWith("/big") ? 200 * KiB : 2 * KiB;
    return new Response(bodyBytes(size, seed), { headers: { "cache-control": "max-age=600" } });
  });
}

const bodyHash = (path: string) => {
  const seed = path.length + path.charCodeAt(path.length - 1);
  return sha256(bodyBytes(path.startsWith("/big") ? 200 * KiB : 2 * KiB, seed));
};

Deno.test("cache remote: two programs share entries over KV Connect; delete() in one empties it for the others", async () => {
  await using dir = await tempDir();
  await using server = await kvServer(`${dir.path}/store.kv`);
  await using web = cacheableOrigin();
  const urls = [`${web.url}/big`, `${web.url}/small`];
  const job = {
    location: server.url,
    storeTimeout: PATIENT,
    requests: urls.map((url) => ({ url })),
  };

  const first = await runChild(job, [], withToken());
  assert.deepEqual(first.results.map((r) => [r.status, r.fromCache]), [[200, false], [200, false]]);
  assert.equal(first.info.kind, "remote");

  const second = await runChild(job, [], withToken());
  assert.deepEqual(second.results.map((r) => r.fromCache), [true, true], JSON.stringify(second));
  assert.equal(second.results[0]!.sha256, await bodyHash("/big"));
  assert.equal(second.results[1]!.sha256, await bodyHash("/small"));
  assert.equal(web.count("/big"), 1);
  assert.equal(second.info.entries, 2);

  await runChild(
    { location: server.url, storeTimeout: PATIENT, requests: [], end: "delete" },
    [],
    withToken(),
  );
  const after = await runChild(job, [], withToken());
  assert.deepEqual(after.results.map((r) => r.fromCache), [false, false]);
  assert.equal(web.count("/big"), 2);
});

Deno.test("cache remote: two processes writing at once leave every entry byte-exact and the store sound", async () => {
  await using dir = await tempDir();
  await using server = await kvServer(`${dir.path}/store.kv`);
  await using web = cacheableOrigin();
  const shared = ["/big-s1", "/s2", "/big-s3"];
  const jobOf = (own: string) => ({
    location: server.url,
    storeTimeout: PATIENT,
    requests: [...shared, `/big-${own}1`, `/${own}2`, `/${own}3`].map((p) => ({
      url: web.url + p,
    })),
  });
  const [a, b] = await Promise.all([
    runChild(jobOf("a"), [], withToken()),
    runChild(jobOf("b"), [], withToken()),
  ]);
  for (const r of [...a.results, ...b.results]) assert.equal(r.status, 200, JSON.stringify(r));

  const all = [...shared, "/big-a1", "/a2", "/a3", "/big-b1", "/b2", "/b3"];
  const reader = await runChild(
    {
      location: server.url,
      storeTimeout: PATIENT,
      requests: all.map((p) => ({ url: web.url + p })),
    },
    [],
    withToken(),
  );
  for (const [i, r] of reader.results.entries()) {
    assert.ok(r.fromCache, `${all[i]} was not served from the store`);
    assert.equal(r.sha256, await bodyHash(all[i]!), `${all[i]} is not byte-exact`);
  }

  // The store's invariants, read over KV Connect by this process.
  Deno.env.set("DENO_KV_ACCESS_TOKEN", TOKEN);
  const kv = await Deno.openKv(server.url);
  try {
    const report = await checkConsistency(kv);
    assert.deepEqual(report.problems, []);
    assert.equal(report.entries, all.length);
  } finally {
    kv.close();
    Deno.env.delete("DENO_KV_ACCESS_TOKEN");
  }
});

Deno.test("cache remote: a wrong token is one warning naming the location (never the token), or an error when required", async () => {
  await using dir = await tempDir();
  await using server = await kvServer(`${dir.path}/store.kv`);
  await using web = cacheableOrigin();
  const secret = "wrong-token-5d1c77";
  const job = {
    location: server.url,
    requests: [{ url: `${web.url}/x` }, { url: `${web.url}/x` }],
  };

  const warned = await runChild(job, [], withToken(secret));
  assert.deepEqual(warned.results.map((r) => [r.status, r.fromCache]), [[200, false], [
    200,
    false,
  ]]);
  const lines = warned.stderr.split("\n").filter((l) => l.startsWith("netstack-http:"));
  assert.equal(lines.length, 1, warned.stderr);
  assert.match(lines[0]!, new RegExp(`could not be opened at ${server.url}.*uncached`));
  assert.match(String(warned.info.problem), /invalid access token/);
  assert.ok(warned.flushError, "flush() rejects for an explicit location");
  assert.ok(!warned.stderr.includes(secret) && !JSON.stringify(warned).includes(secret));

  const strict = await runChild({ ...job, required: true }, [], withToken(secret));
  assert.equal(strict.results[0]!.status, 0);
  assert.match(String(strict.results[0]!.error), /2300999/);
  assert.match(String(strict.results[0]!.error), /response cache unavailable/);
  assert.ok(!strict.stderr.includes("netstack-http:"), "no warning when it is an error");
  assert.equal(web.count("/x"), 2, "a required cache that cannot open sends nothing");
});

Deno.test("cache remote: the store killed mid-run costs one deadline, requests go to the origin, and the cache recovers when it is back", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/store.kv`;
  let server: Awaited<ReturnType<typeof kvServer>> | null = await kvServer(path);
  const port = server.port;
  await using web = cacheableOrigin();
  const storeTimeout = 400;
  const step = (name: string) => `${dir.path}/${name}`;
  const child = spawnChild(
    {
      location: server.url,
      storeTimeout,
      requests: [
        { healthy: true }, // opened: a request waits for the open no longer than the deadline
        { url: `${web.url}/a` }, // 0: stored
        { url: `${web.url}/a` }, // 1: hit
        { mark: step("up") },
        { wait: step("killed") },
        { url: `${web.url}/big-b` }, // 2: the store is dead: the origin answers
        { url: `${web.url}/a` }, // 3: degraded: straight to the origin
        { mark: step("down") },
        { wait: step("restarted") },
        { healthy: true },
        { url: `${web.url}/c` }, // 4: stored again
        { url: `${web.url}/c` }, // 5: hit
      ],
    },
    [],
    withToken(),
  );
  try {
    await until(step("up"));
    await server[Symbol.asyncDispose]();
    server = null;
    await Deno.writeTextFile(step("killed"), "");
    await until(step("down"));
    const down = JSON.parse(await Deno.readTextFile(step("down")));
    assert.match(String(down.degraded?.reason), new RegExp(`within ${storeTimeout} ms`));
    assert.ok(!Number.isNaN(Date.parse(down.degraded.since)));
    server = await kvServer(path, port);
    await Deno.writeTextFile(step("restarted"), "");

    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const { code, stdout, stderr } = await child.output().finally(() => clearTimeout(guard));
    const text = new TextDecoder().decode(stdout);
    assert.equal(code, 0, `${text}\n${new TextDecoder().decode(stderr)}`);
    const { results, info, flushError } = JSON.parse(text.trim().split("\n").pop()!);
    assert.deepEqual(
      results.map((r: { status: number; fromCache: boolean }) => [r.status, r.fromCache]),
      [[200, false], [200, true], [200, false], [200, false], [200, false], [200, true]],
    );
    // The first request after the kill waited for one deadline at most (plus the origin).
    assert.ok(results[2].ms < 4 * storeTimeout, `${results[2].ms} ms`);
    // Once degraded, the store costs nothing: faster than the one that waited.
    assert.ok(results[3].ms < results[2].ms / 2, `${results[3].ms} vs ${results[2].ms} ms`);
    assert.equal(results[2].sha256, await bodyHash("/big-b"));
    assert.equal(info.degraded, null);
    assert.equal(flushError, null);
    assert.equal(web.count("/c"), 1);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* ended */ }
    await child.status;
    await server?.[Symbol.asyncDispose]();
  }
});

/** Waits until a file exists. */
async function until(path: string): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    try {
      await Deno.stat(path);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  throw new Error(`${path} never appeared`);
}

Deno.test("cache remote: a program that never closes its cache exits, with the store up or dead (the probe keeps nothing alive)", async () => {
  await using dir = await tempDir();
  await using web = cacheableOrigin();
  let server: Awaited<ReturnType<typeof kvServer>> | null = await kvServer(`${dir.path}/store.kv`);
  try {
    const up = await runChild(
      {
        location: server.url,
        requests: [{ healthy: true }, { url: `${web.url}/up` }],
        end: "none",
      },
      [],
      withToken(),
    );
    assert.equal(up.results[0]!.status, 200);

    const child = spawnChild(
      {
        location: server.url,
        storeTimeout: 300,
        requests: [
          { healthy: true },
          { mark: `${dir.path}/open` },
          { wait: `${dir.path}/killed` },
          { url: `${web.url}/down` },
        ],
        end: "none",
      },
      [],
      withToken(),
    );
    await until(`${dir.path}/open`);
    await server[Symbol.asyncDispose]();
    server = null;
    await Deno.writeTextFile(`${dir.path}/killed`, "");
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const { code, stdout } = await child.output().finally(() => clearTimeout(guard));
    assert.equal(code, 0, "the program ended by itself");
    const { results, info } = JSON.parse(
      new TextDecoder().decode(stdout).trim().split("\n").pop()!,
    );
    assert.equal(results[0].status, 200);
    assert.ok(info.degraded, "it ended while degraded, with a probe scheduled");
  } finally {
    await server?.[Symbol.asyncDispose]();
  }
});
