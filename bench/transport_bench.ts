// deno-lint-ignore-file no-console
/**
 * The cost of the loopback relay (dnsServers, dnsOverHttps, or a
 * connectTimeout shorter than readTimeout) against the default path (plain
 * fetch), with the http face against bench/server.mjs on 127.0.0.1.
 * `deno task bench` runs it and adds its rows; alone:
 * `deno run -A bench/transport_bench.ts [--json]`.
 *
 * Environment: BENCH_ROUNDS (default 5), BENCH_QUICK=1 for a short run.
 *
 * @module
 */

import http from "../ohos.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? (QUICK ? 2 : 5));
const STREAM_MIB = QUICK ? 64 : 256;

const origin = new Deno.Command("node", {
  args: [new URL("./server.mjs", import.meta.url).pathname, "0"],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = origin.stdout.pipeThrough(new TextDecoderStream()).getReader();
const port = Number((await reader.read()).value!.trim());
const base = `http://127.0.0.1:${port}`;

const modes: Record<string, http.HttpRequestOptions> = {
  "default (plain fetch)": {},
  "relay (connectTimeout 30 s < readTimeout 60 s)": { connectTimeout: 30_000 },
};
const results: Record<string, Record<string, number>> = {};
const req = http.createHttp();
try {
  for (const inFlight of [1, 50]) {
    const count = QUICK ? 300 : inFlight === 1 ? 1000 : 5000;
    const test = `13 B × ${inFlight} in flight (req/s)`;
    const samples: Record<string, number[]> = {};
    for (const options of Object.values(modes)) await load(options, inFlight, 200);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mode, options] of Object.entries(modes)) {
        (samples[mode] ??= []).push(await load(options, inFlight, count));
      }
    }
    results[test] = Object.fromEntries(Object.entries(samples).map(([m, v]) => [m, median(v)]));
  }
  const test = `stream ${STREAM_MIB} MiB (MB/s)`;
  const samples: Record<string, number[]> = {};
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
    for (const [mode, options] of Object.entries(modes)) {
      (samples[mode] ??= []).push(await stream(options, STREAM_MIB * 1024 * 1024));
    }
  }
  results[test] = Object.fromEntries(Object.entries(samples).map(([m, v]) => [m, median(v)]));
} finally {
  req.destroy();
  origin.kill("SIGTERM");
  await reader.cancel();
  await origin.status;
}

const [plain, relayed] = Object.keys(modes) as [string, string];
if (Deno.args.includes("--json")) {
  console.log(JSON.stringify(
    Object.entries(results).map(([test, values]) => ({
      test,
      plain: values[plain],
      relay: values[relayed],
      ratio: values[relayed]! / values[plain]!,
    })),
  ));
} else {
  for (const [test, values] of Object.entries(results)) {
    console.log(
      `${test.padEnd(32)} plain ${values[plain]!.toFixed(0).padStart(7)}  relay ${
        values[relayed]!.toFixed(0).padStart(7)
      }  relay/plain ${(values[relayed]! / values[plain]!).toFixed(2)}`,
    );
  }
}

async function load(
  options: http.HttpRequestOptions,
  inFlight: number,
  count: number,
): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (started++ < count) await req.request(`${base}/?size=13`, options);
  }));
  return count / ((performance.now() - t0) / 1000);
}

async function stream(options: http.HttpRequestOptions, size: number): Promise<number> {
  const t0 = performance.now();
  const one = http.createHttp();
  try {
    await one.requestInStream(`${base}/stream?size=${size}`, options);
  } finally {
    one.destroy();
  }
  return size / 1e6 / ((performance.now() - t0) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
