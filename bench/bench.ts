// deno-lint-ignore-file no-console
/**
 * `deno task bench`: our faces against raw `fetch` and peers, side by side in
 * one run against one local origin (bench/server.mjs, its own process on
 * 127.0.0.1). Clients alternate within every round; medians are reported,
 * and each client's ratio to raw fetch is the median of its per-round ratios.
 *
 * Environment: BENCH_ROUNDS (default 9), BENCH_STREAM_MIB (default 1024),
 * BENCH_QUICK=1 for a short smoke run.
 *
 * @module
 */

import http, { Network } from "../mod.ts";
import ky from "npm:ky@^1.7.0";
import axios from "npm:axios@^1.7.0";
import { ofetch } from "npm:ofetch@^1.5.1";
import { request as undiciRequest } from "npm:undici@^7.30.2";
import { Agent as HttpsAgent } from "node:https";
import { makeBenchCertificates } from "./bench_certificates.ts";

const QUICK = Deno.env.get("BENCH_QUICK") === "1";
const ROUNDS = Number(Deno.env.get("BENCH_ROUNDS") ?? (QUICK ? 2 : 9));
const STREAM_MIB = Number(Deno.env.get("BENCH_STREAM_MIB") ?? (QUICK ? 64 : 1024));

type Client = (url: string) => Promise<unknown>;

interface Row {
  test: string;
  client: string;
  value: number;
  unit: string;
  ratio: number | null;
  extra?: string;
}

// The https rows need every client to trust a throwaway CA: the bench runs itself again with
// `--cert` (which Deno applies to fetch and node:tls alike) once the certificates exist.
const tlsDir = Deno.env.get("BENCH_TLS_DIR");
if (!tlsDir) Deno.exit(await rerunWithCertificates());

const origin = await startOrigin();
const secureOrigin = await startOrigin(tlsDir);
const rows: Row[] = [];
try {
  await throughput(origin.url, "", [13, 64 * 1024], [1, 50]);
  await throughput(secureOrigin.url, "https ", [13, 64 * 1024], [50]);
  await streaming();
  await importCost();
  await cacheRow();
  await relayRows();
} finally {
  for (const server of [origin, secureOrigin]) {
    server.stop();
    await server.done;
  }
  await Deno.remove(tlsDir, { recursive: true });
}
printTable(rows);
console.log(
  "SUMMARY " +
    JSON.stringify({
      date: new Date().toISOString(),
      cores: navigator.hardwareConcurrency,
      deno: Deno.version.deno,
      ratios: Object.fromEntries(
        rows.filter((r) => r.ratio !== null).map((r) => [`${r.test} | ${r.client}`, r.ratio]),
      ),
    }),
);

/**
 * Requests per second of each client, for every body size and number in
 * flight. Bodies are octet-stream, so every client (the http face included)
 * returns bytes and none pays for text decoding the others skip.
 */
async function throughput(
  base: string,
  label: string,
  sizes: number[],
  inFlights: number[],
): Promise<void> {
  const req = http.createHttp();
  const kyClient = ky.create({ retry: 0, timeout: 60_000 });
  // node:https (under axios) does not take Deno's `--cert`: its agent gets the CA itself.
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    ca: await Deno.readTextFile(`${tlsDir}/ca.pem`),
  });
  const clients: Record<string, Client> = {
    "raw fetch": (url) => fetch(url).then((r) => r.arrayBuffer()),
    "http face": (url) => req.request(url),
    // What most OpenHarmony code does: a new request object per request, destroyed after it.
    "http face, new object per request": async (url) => {
      const once = http.createHttp();
      try {
        return await once.request(url);
      } finally {
        once.destroy();
      }
    },
    "Network face": networkClient,
    "ky": (url) => kyClient(url).arrayBuffer(),
    "ofetch": (url) => ofetch(url, { responseType: "arrayBuffer", retry: 0 }),
    "undici request": (url) => undiciRequest(url).then((r) => r.body.arrayBuffer()),
    "axios": (url) => axios.get(url, { responseType: "arraybuffer", httpsAgent }),
  };
  try {
    for (const size of sizes) {
      for (const inFlight of inFlights) {
        // Long samples: a short one measures the JIT warming up and the last client's garbage.
        const count = QUICK ? 300 : inFlight === 1 ? 2000 : 10_000;
        const url = `${base}/?size=${size}&type=bin`;
        const samples: Record<string, number[]> = {};
        for (const run of Object.values(clients)) {
          await load(run, url, inFlight, QUICK ? 200 : 2000);
        }
        for (let round = 0; round < ROUNDS; round++) {
          for (const [name, run] of Object.entries(clients)) {
            (samples[name] ??= []).push(await load(run, url, inFlight, count));
          }
          const curl = await curlRun(url, inFlight, count);
          if (curl !== null) (samples["curl (native)"] ??= []).push(curl);
          else if (samples["curl (native)"]) samples["curl (native)"].push(NaN);
        }
        const test = `${label}${size === 13 ? "13 B" : "64 KiB"} × ${inFlight} in flight`;
        for (const [client, values] of Object.entries(samples)) {
          const ratio = roundRatio(values, samples["raw fetch"]!);
          rows.push({ test, client, value: median(values), unit: "req/s", ratio });
        }
      }
    }
  } finally {
    req.destroy();
  }
}

function networkClient(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // deno-lint-ignore no-explicit-any
    const client = (Network as any).createHTTPClient({
      onload: () => resolve(undefined),
      onerror: (e: { error?: string }) => reject(new Error(e.error)),
    });
    client.open("GET", url);
    client.send();
  });
}

/** Requests per second for `count` requests with `inFlight` workers. */
async function load(run: Client, url: string, inFlight: number, count: number): Promise<number> {
  collectGarbage(); // each client starts clean of the previous one's garbage
  let started = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (started++ < count) await run(url);
  }));
  return count / ((performance.now() - t0) / 1000);
}

/** A full GC when the bench runs with `--v8-flags=--expose-gc` (as `deno task bench` does). */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function curlRun(url: string, inFlight: number, count: number): Promise<number | null> {
  try {
    const t0 = performance.now();
    const out = await new Deno.Command("curl", {
      args: [
        "-s",
        ...(url.startsWith("https:") ? ["--cacert", `${tlsDir}/ca.pem`] : []),
        "-Z",
        "--parallel-max",
        String(inFlight),
        `${url}&n=[1-${count}]`,
      ],
      stdout: "null",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    return count / ((performance.now() - t0) / 1000);
  } catch {
    return null; // curl is not installed
  }
}

async function streaming(): Promise<void> {
  const size = STREAM_MIB * 1024 * 1024;
  const url = `${origin.url}/stream?size=${size}`;
  const modes = ["raw fetch", "http requestInStream"];
  if (typeof (Network as { createHTTPClient?: unknown }).createHTTPClient === "function") {
    modes.push("raw fetch to a file", "Network file");
  }
  const samples: Record<string, { mbps: number; rss: number }[]> = {};
  // Five rounds at most: each is a process per client, and peak RSS varies by a tenth between them.
  for (let round = 0; round < Math.min(ROUNDS, 5); round++) {
    for (const mode of modes) (samples[mode] ??= []).push(await streamRun(mode, url));
  }
  const test = `stream ${STREAM_MIB} MiB`;
  const base = samples["raw fetch"]!.map((s) => s.mbps);
  const baseRss = median(samples["raw fetch"]!.map((s) => s.rss));
  for (const [client, values] of Object.entries(samples)) {
    const mbps = values.map((s) => s.mbps);
    const rss = median(values.map((s) => s.rss));
    rows.push({
      test,
      client,
      value: median(mbps),
      unit: "MB/s",
      ratio: roundRatio(mbps, base),
      extra: `peak RSS ${rss.toFixed(0)} MiB (${rss - baseRss >= 0 ? "+" : ""}${
        (rss - baseRss).toFixed(0)
      } vs raw fetch)`,
    });
  }
}

async function streamRun(mode: string, url: string): Promise<{ mbps: number; rss: number }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./stream_client.ts", import.meta.url).pathname, mode, url],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`stream client ${mode} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** What importing mod.ts adds to a process that makes one plain GET: startup time and peak RSS. */
async function importCost(): Promise<void> {
  const url = `${origin.url}/?size=13`;
  const samples: Record<string, { ms: number; rss: number }[]> = {};
  for (let round = 0; round < (QUICK ? 2 : 7); round++) {
    for (const mode of ["raw", "http"]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("./import_client.ts", import.meta.url).pathname, mode, url],
        env: { DENO_NO_UPDATE_CHECK: "1" },
        stderr: "inherit",
      }).output();
      if (!out.success) throw new Error(`import client ${mode} failed`);
      (samples[mode] ??= []).push(JSON.parse(new TextDecoder().decode(out.stdout)));
    }
  }
  const ms = (mode: string) => median(samples[mode]!.map((s) => s.ms));
  const rss = (mode: string) => median(samples[mode]!.map((s) => s.rss));
  rows.push({
    test: "import mod.ts + one GET",
    client: "added to a raw fetch process",
    value: ms("http") - ms("raw"),
    unit: "ms",
    ratio: null,
    extra: `+${(rss("http") - rss("raw")).toFixed(1)} MiB peak RSS (raw: ${
      ms("raw").toFixed(0)
    } ms, ${rss("raw").toFixed(0)} MiB; target ≤ 40 ms, ≤ 15 MB)`,
  });
}

/** The loopback relay (DNS options, real connectTimeout) against the plain-fetch default path. */
async function relayRows(): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./transport_bench.ts", import.meta.url).pathname, "--json"],
    env: { DENO_NO_UPDATE_CHECK: "1", ...(QUICK ? { BENCH_QUICK: "1" } : {}) },
    stderr: "inherit",
  }).output();
  if (!out.success) return;
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  try {
    const results = JSON.parse(lines.at(-1)!) as Array<
      { test: string; plain: number; relay: number; ratio: number }
    >;
    for (const { test, plain, relay, ratio } of results) {
      rows.push({
        test: `relay: ${test.replace(/ \(.*\)$/, "")}`,
        client: "http face, connectTimeout < readTimeout",
        value: relay,
        unit: test.includes("MB/s") ? "MB/s" : "req/s",
        ratio,
        extra: `ratio to the same face's default path (${plain.toFixed(0)}), not to raw fetch`,
      });
    }
  } catch {
    // the script printed no JSON line: no rows
  }
}

async function cacheRow(): Promise<void> {
  const script = new URL("./cache_bench.ts", import.meta.url);
  try {
    await Deno.stat(script);
  } catch {
    return; // no response cache yet
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.pathname, "--json"],
    env: { DENO_NO_UPDATE_CHECK: "1" },
    stderr: "inherit",
  }).output();
  if (!out.success) return;
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  try {
    const result = JSON.parse(lines.at(-1)!) as { hitMs: number; missMs: number };
    rows.push({
      test: "cache 10 KiB",
      client: "hit vs loopback miss",
      value: result.hitMs,
      unit: "ms/req",
      ratio: null,
      extra: `miss ${result.missMs.toFixed(3)} ms/req: a hit is ${
        (result.missMs / result.hitMs).toFixed(1)
      }× faster`,
    });
  } catch {
    // the script printed no JSON line: no row
  }
}

/**
 * The median over rounds of each round's ratio to raw fetch in that round:
 * this machine's speed drifts over seconds, and a ratio of two samples taken
 * moments apart cancels the drift that a ratio of two medians keeps.
 */
function roundRatio(values: number[], base: number[]): number {
  return median(values.map((value, i) => value / base[i]!).filter((r) => !Number.isNaN(r)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printTable(table: Row[]): void {
  console.log(
    `\n@netstack/http benchmark — ${new Date().toISOString().slice(0, 10)}, ` +
      `${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, ${ROUNDS} rounds, medians\n`,
  );
  console.log("| test | client | result | × raw fetch | notes |");
  console.log("| --- | --- | ---: | ---: | --- |");
  for (const row of table) {
    const value = row.unit === "ms/req"
      ? row.value.toFixed(3)
      : row.value.toFixed(row.unit === "ms" ? 1 : 0);
    console.log(
      `| ${row.test} | ${row.client} | ${value} ${row.unit} | ${
        row.ratio === null ? "" : row.ratio.toFixed(2)
      } | ${row.extra ?? ""} |`,
    );
  }
}

/** Makes a throwaway CA and a certificate for 127.0.0.1, then runs this bench again trusting it. */
async function rerunWithCertificates(): Promise<number> {
  const dir = await makeBenchCertificates("netstack-bench-");
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      "--cert",
      `${dir}/ca.pem`,
      new URL(import.meta.url).pathname,
    ],
    env: { BENCH_TLS_DIR: dir },
    stdin: "null",
  }).spawn();
  return (await child.status).code;
}

/** The origin over http, or over https with the certificate in `tls`. */
async function startOrigin(tls?: string) {
  const child = new Deno.Command("node", {
    args: [
      new URL("./server.mjs", import.meta.url).pathname,
      "0",
      ...(tls ? [`${tls}/cert.pem`, `${tls}/key.pem`] : []),
    ],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("bench origin did not start");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  child.stdout.cancel();
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${text.trim()}`,
    stop: () => child.kill("SIGTERM"),
    done: child.status,
  };
}
