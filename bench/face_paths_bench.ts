// deno-lint-ignore-file no-console
/**
 * The http face on its two paths, side by side in one process: plain
 * requests over `fetch` and over the socket-level engine
 * (`useSocketByDefault`), rounds alternating, each round COUNT GETs with 50 in
 * flight and a new request object per request (the issue 18 usage). Prints
 * each path's median requests per second and the engine's rate as a multiple
 * of fetch's. The origin is bench/server.mjs in its own Node process, over
 * http, or over https with `--https` (a throwaway CA, trusted through Deno's
 * `--cert`, which applies to `fetch` and `node:tls` alike: the requests carry
 * no CA option, so the router's rules are the ones users get).
 *
 * Usage: deno run -A bench/face_paths_bench.ts [SIZE] [--https] [--rounds N]
 *
 * @module
 */

import http from "../ohos.ts";
import { useSocketByDefault, useSocketForHttps } from "../src/core/router.ts";
import { makeBenchCertificates } from "./bench_certificates.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const size = Number(args[0] ?? 13);
const https = Deno.args.includes("--https");
const roundsAt = Deno.args.indexOf("--rounds");
const rounds = roundsAt >= 0 ? Number(Deno.args[roundsAt + 1]) : 7;
const count = size >= 65536 ? 1000 : 3000;

if (https && !Deno.env.get("BENCH_TLS_DIR")) Deno.exit(await rerunTrusting());
const tlsDir = Deno.env.get("BENCH_TLS_DIR");

const origin = new Deno.Command("node", {
  args: [
    new URL("./server.mjs", import.meta.url).pathname,
    "0",
    ...(tlsDir ? [`${tlsDir}/cert.pem`, `${tlsDir}/key.pem`] : []),
  ],
  stdout: "piped",
}).spawn();
const reader = origin.stdout.pipeThrough(new TextDecoderStream()).getReader();
const port = Number((await reader.read()).value!.trim());
const url = `${tlsDir ? "https" : "http"}://127.0.0.1:${port}/?size=${size}`;

/** One round on one path: requests per second. */
async function round(engine: boolean, n: number): Promise<number> {
  const before = useSocketByDefault(engine);
  const beforeHttps = useSocketForHttps(engine);
  try {
    let started = 0;
    const start = performance.now();
    await Promise.all(Array.from({ length: 50 }, async () => {
      while (started++ < n) {
        const req = http.createHttp();
        try {
          const res = await req.request(url, { expectDataType: http.HttpDataType.ARRAY_BUFFER });
          if (res.responseCode !== 200) throw new Error(`status ${res.responseCode}`);
        } finally {
          req.destroy();
        }
      }
    }));
    return n / ((performance.now() - start) / 1000);
  } finally {
    useSocketByDefault(before);
    useSocketForHttps(beforeHttps);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

try {
  await round(false, 300);
  await round(true, 300);
  const rates: Record<"fetch" | "engine", number[]> = { fetch: [], engine: [] };
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so neither always runs on a warmer process.
    for (const engine of i % 2 ? [true, false] : [false, true]) {
      rates[engine ? "engine" : "fetch"].push(await round(engine, count));
    }
  }
  const fetchRate = median(rates.fetch);
  const engineRate = median(rates.engine);
  const scheme = tlsDir ? "https" : "http";
  console.log(`${scheme} ${size} B × 50 in flight, ${rounds} rounds of ${count}, new object each`);
  console.log(`  fetch  ${fetchRate.toFixed(0)} req/s  (rounds: ${rates.fetch.map(Math.round)})`);
  console.log(`  engine ${engineRate.toFixed(0)} req/s  (rounds: ${rates.engine.map(Math.round)})`);
  console.log(`  engine / fetch: ${(engineRate / fetchRate).toFixed(2)}×`);
} finally {
  origin.kill("SIGTERM");
  await reader.cancel();
  await origin.status;
}

/** Makes a throwaway CA and a certificate for 127.0.0.1, then runs this bench again trusting it. */
async function rerunTrusting(): Promise<number> {
  const dir = await makeBenchCertificates("netstack-face-paths-");
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--cert",
        `${dir}/ca.pem`,
        new URL(import.meta.url).pathname,
        ...Deno.args,
      ],
      env: { BENCH_TLS_DIR: dir },
      stdin: "null",
    }).spawn();
    return (await child.status).code;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
