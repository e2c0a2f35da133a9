// The response cache across processes sharing one file-backed Deno KV store:
// a second `deno run` gets hits from the first's entries, a writer killed
// with SIGKILL mid-body leaves nothing servable, and two processes writing at
// once corrupt nothing. Also the default location per program.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { checkConsistency } from "../src/cache/consistency.ts";
import { KvStore } from "../src/cache/kv_store.ts";
import { ROOT } from "../src/cache/store_layout.ts";
import { pathToFileURL } from "node:url";
import {
  bodyBytes,
  CHILD,
  createHttp,
  KiB,
  origin,
  runChild,
  sha256,
  spawnChild,
  tempDir,
} from "./_cache_helpers.ts";

Deno.test("cache processes: a second deno run process gets a hit from the first one's store", async () => {
  const body = bodyBytes(150 * KiB, 5);
  await using server = origin(() =>
    new Response(body, { headers: { "cache-control": "max-age=600" } })
  );
  await using dir = await tempDir();
  const location = `${dir.path}/shared.kv`;

  // This process stores /a, then closes its cache (the entries stay).
  const cache = http.createHttpResponseCache(undefined, { location });
  try {
    using req = createHttp();
    await req.request(`${server.url}/a`);
  } finally {
    await cache.close();
  }
  assert.equal(server.count("/a"), 1);

  // Another process reads /a from the store, and stores /b.
  const { results } = await runChild({
    location,
    requests: [{ url: `${server.url}/a` }, { url: `${server.url}/a`, stream: true }, {
      url: `${server.url}/b`,
    }],
  });
  const digest = await sha256(body);
  assert.deepEqual(results.map((r) => [r.status, r.sha256 === digest, r.fromCache]), [
    [200, true, true],
    [200, true, true],
    [200, true, false],
  ]);
  assert.equal(server.count("/a"), 1, "the child did not ask the origin for /a");
  assert.equal(server.count("/b"), 1);

  // And this process gets a hit on the child's /b.
  const again = http.createHttpResponseCache(undefined, { location });
  try {
    using req = createHttp();
    const res = await req.request(`${server.url}/b`, {
      expectDataType: http.HttpDataType.ARRAY_BUFFER,
    });
    assert.equal(res.performanceTiming.fromCache, true);
    assert.equal(await sha256(new Uint8Array(res.result as ArrayBuffer)), digest);
    assert.equal(server.count("/b"), 1);
  } finally {
    await again.delete();
  }
});

Deno.test("cache processes: a writer killed mid-body (SIGKILL) leaves no servable partial entry", async () => {
  const body = bodyBytes(1024 * KiB, 11);
  let stall!: () => void;
  const stalled = new Promise<void>((resolve) => stall = resolve);
  await using server = origin((_r, _u, n) => {
    if (n > 1) return new Response(body, { headers: { "cache-control": "max-age=600" } });
    // The first request: half the body, then nothing more until the client dies.
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent === body.byteLength / 2) {
          stall();
          await new Promise(() => {}); // never resolves; cancel() ends it
        }
        controller.enqueue(body.subarray(sent, sent + 64 * KiB));
        sent += 64 * KiB;
      },
    });
    return new Response(stream, {
      headers: { "cache-control": "max-age=600", "content-length": String(body.byteLength) },
    });
  });
  await using dir = await tempDir();
  const location = `${dir.path}/killed.kv`;
  const url = `${server.url}/big`;

  const child = spawnChild({ location, requests: [{ url, stream: true }], progress: true });
  const stdout = child.stdout.getReader();
  try {
    await stalled;
    // Wait until the child wrote chunks of the body to the store.
    using kv = await Deno.openKv(location);
    let chunks = 0;
    for (let i = 0; i < 400 && chunks < 6; i++) {
      chunks = 0;
      for await (const _ of kv.list({ prefix: [...ROOT, "c"] })) chunks++;
      if (chunks < 6) await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(chunks >= 6, `the child wrote ${chunks} chunks before the kill`);
    child.kill("SIGKILL");
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");

    const report = await checkConsistency(kv);
    assert.deepEqual(report.problems, []);
    assert.equal(report.entries, 0, "nothing visible");
    assert.equal(report.pending, 1, "an abandoned write");
  } finally {
    await stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch { /* already dead */ }
    await child.status;
  }

  // A new process does not serve the partial body: it fetches and stores the whole one.
  const { results } = await runChild({ location, requests: [{ url }, { url }] });
  const digest = await sha256(body);
  assert.deepEqual(results.map((r) => [r.sha256 === digest, r.fromCache]), [[true, false], [
    true,
    true,
  ]]);
  assert.equal(server.count("/big"), 2);

  // Garbage collection removes the abandoned chunks once the write is stale.
  using kv = await Deno.openKv(location);
  const store = new KvStore(await Deno.openKv(location), {
    maxSize: 1 << 24,
    maxEntrySize: 1 << 24,
    staleWriteMs: 0,
  });
  await store.collectGarbage();
  await store.close();
  const report = await checkConsistency(kv);
  assert.deepEqual(report.problems, []);
  assert.equal(report.entries, 1);
  assert.equal(report.pending, 0);
});

Deno.test("cache processes: two processes writing at once corrupt nothing", async () => {
  const sizeOf = (n: number) => 8 * KiB + n * 13 * KiB;
  await using server = origin(async (_r, url) => {
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    const n = Number(url.pathname.slice(1));
    return new Response(bodyBytes(sizeOf(n), n), {
      headers: { "cache-control": "max-age=600" },
    });
  });
  await using dir = await tempDir();
  const location = `${dir.path}/contended.kv`;
  const maxSize = 512 * KiB;
  const job = (seed: number) => {
    const requests = [];
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 16; i++) {
        const n = (i * 7 + seed + round * 5) % 16;
        requests.push({ url: `${server.url}/${n}`, stream: (i + seed) % 2 === 0 });
      }
    }
    return { location, maxSize, requests };
  };
  const [a, b] = await Promise.all([runChild(job(1)), runChild(job(2))]);
  for (const result of [...a.results, ...b.results]) {
    const n = Number(new URL(result.url).pathname.slice(1));
    assert.equal(result.error, undefined);
    assert.equal(result.size, sizeOf(n), result.url);
    assert.equal(result.sha256, await sha256(bodyBytes(sizeOf(n), n)), result.url);
  }
  const hits = [...a.results, ...b.results].filter((r) => r.fromCache).length;
  assert.ok(hits > 0, "some requests were hits");

  using kv = await Deno.openKv(location);
  const report = await checkConsistency(kv);
  assert.deepEqual(report.problems, [], JSON.stringify(report));
  assert.ok(report.total <= maxSize, `${report.total} bytes stored, bound ${maxSize}`);
  assert.ok(report.entries > 0);
  // Every stored body is intact.
  const store = new KvStore(await Deno.openKv(location), { maxSize, maxEntrySize: maxSize });
  try {
    for await (const item of kv.list<{ url: string }>({ prefix: [...ROOT, "e"] })) {
      const entry = item.value as Parameters<KvStore["readBody"]>[0];
      const n = Number(new URL(entry.url).pathname.slice(1));
      assert.equal(
        await sha256(await store.readBody(entry)),
        await sha256(bodyBytes(sizeOf(n), n)),
      );
    }
  } finally {
    await store.close();
  }
});

Deno.test("cache processes: the default location follows Deno.openKv(): --location, then the config file, then the main module", async () => {
  await using dir = await tempDir();
  const job = { location: "", requests: [] };
  const env = { XDG_CACHE_HOME: dir.path };
  const project = `${dir.path}/project`;
  await Deno.mkdir(`${project}/bin`, { recursive: true });
  await Deno.writeTextFile(`${project}/deno.json`, "{}");
  // A second program of the same project: another main module.
  const other = `${project}/bin/other.ts`;
  await Deno.writeTextFile(other, `import ${JSON.stringify(pathToFileURL(CHILD).href)};\n`);

  // In a project (a deno.json from the working directory up): one cache for all its programs.
  const first = await runChild(job, [], env, { cwd: project });
  assert.equal(first.info.kind, "file");
  assert.match(
    String(first.info.location),
    new RegExp(`^${dir.path}/netstack-http/project-[0-9a-f]{12}\\.kv$`),
  );
  assert.equal(first.info.problem, null);
  const second = await runChild(job, [], env, { cwd: `${project}/bin`, script: other });
  assert.equal(second.info.location, first.info.location);

  // --location comes first.
  const located = await runChild(
    job,
    ["--unstable-kv", "--allow-all", "--location", "https://app.test/x"],
    env,
    {
      cwd: project,
    },
  );
  assert.match(String(located.info.location), /\/netstack-http\/app\.test-[0-9a-f]{12}\.kv$/);

  // No config file: by main module.
  const outside = await runChild(job, [], env, { cwd: dir.path });
  assert.match(String(outside.info.location), /\/netstack-http\/child-[0-9a-f]{12}\.kv$/);

  // NETSTACK_HTTP_CACHE names another location.
  const named = await runChild(job, [], { ...env, NETSTACK_HTTP_CACHE: `${dir.path}/from-env.kv` });
  assert.equal(named.info.location, `${dir.path}/from-env.kv`);

  // Without write permission there, it falls back to memory and says why.
  const fallback = await runChild(
    job,
    ["--unstable-kv", "--allow-read", "--allow-env", "--allow-net=127.0.0.1"],
    env,
  );
  assert.equal(fallback.info.kind, "memory");
  assert.match(String(fallback.info.problem), /permission/);
});
