// deno-lint-ignore-file no-console
/**
 * Response cache latency: a fresh hit against a loopback miss, 10 KiB body,
 * through the http face (`request()`), measured side by side in one run.
 * Hits and misses alternate in batches within every round so both see the
 * same machine load; per-request latencies are pooled and their median and
 * 90th percentile reported.
 *
 * - hit: `Cache-Control: max-age=3600`, stored once, then served from the
 *   file-backed Deno KV store (no request reaches the origin);
 * - miss: the same body with `Cache-Control: no-store`: the cache looks it up,
 *   finds nothing, and the request goes to the loopback origin.
 *
 * Usage: `deno run -A bench/cache_bench.ts [--json] [--memory]`.
 * `--memory` uses an in-memory KV instead of a temp file; `--json` ends the
 * output with one JSON line (`hitMs`, `missMs`: medians in ms), which
 * `bench/bench.ts` reads. BENCH_QUICK=1 for a short run.
 *
 * @module
 */

import http from "../mod.ts";

const JSON_OUT = Deno.args.includes("--json");
const MEMORY = Deno.args.includes("--memory");
const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const ROUNDS = QUICK ? 3 : 10;
const BATCH = QUICK ? 50 : 200;
const WARMUP = QUICK ? 50 : 300;
const SIZE = 10 * 1024;

const body = new Uint8Array(SIZE).map((_, i) => i % 251);
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
  const path = new URL(request.url).pathname;
  originHits[path] = (originHits[path] ?? 0) + 1;
  return new Response(body, {
    headers: {
      "content-type": "application/octet-stream",
      "cache-control": path === "/hit" ? "max-age=3600" : "no-store",
    },
  });
});
const originHits: Record<string, number> = {};
const base = `http://127.0.0.1:${server.addr.port}`;
const dir = MEMORY ? null : await Deno.makeTempDir({ prefix: "cache_bench_" });
const cache = http.createHttpResponseCache(undefined, {
  location: dir ? `${dir}/bench.kv` : ":memory:",
});
const req = http.createHttp();

const samples: Record<"hit" | "miss", number[]> = { hit: [], miss: [] };
try {
  const info = await cache.info();
  await once("/hit"); // stores the entry
  for (let i = 0; i < WARMUP; i++) {
    await once("/hit");
    await once("/miss");
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? ["hit", "miss"] as const : ["miss", "hit"] as const;
    for (const kind of order) {
      for (let i = 0; i < BATCH; i++) samples[kind].push(await once(`/${kind}`));
    }
  }
  const hitsAtOrigin = originHits["/hit"] ?? 0;
  const hit = stats(samples.hit);
  const miss = stats(samples.miss);
  console.log(
    `response cache, 10 KiB body, ${samples.hit.length} requests each (${info.kind} KV store, Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores)`,
  );
  console.log("| case | median ms | p90 ms | mean ms |");
  console.log("| --- | --- | --- | --- |");
  console.log(
    `| hit (no request) | ${hit.median.toFixed(3)} | ${hit.p90.toFixed(3)} | ${
      hit.mean.toFixed(3)
    } |`,
  );
  console.log(
    `| loopback miss | ${miss.median.toFixed(3)} | ${miss.p90.toFixed(3)} | ${
      miss.mean.toFixed(3)
    } |`,
  );
  console.log(
    `a hit is ${(miss.median / hit.median).toFixed(1)}× faster than a loopback miss; ` +
      `the origin saw ${hitsAtOrigin} request(s) for the cached URL`,
  );
  if (JSON_OUT) {
    console.log(JSON.stringify({
      hitMs: hit.median,
      missMs: miss.median,
      hitP90Ms: hit.p90,
      missP90Ms: miss.p90,
      requests: samples.hit.length,
      store: info.kind,
    }));
  }
} finally {
  req.destroy();
  await cache.delete();
  await server.shutdown();
  if (dir) await Deno.remove(dir, { recursive: true });
}

async function once(path: string): Promise<number> {
  const start = performance.now();
  const res = await req.request(`${base}${path}`);
  const elapsed = performance.now() - start;
  if ((res.result as ArrayBuffer).byteLength !== SIZE) throw new Error(`short body for ${path}`);
  return elapsed;
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    median: at(0.5),
    p90: at(0.9),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}
