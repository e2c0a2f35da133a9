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

const origin = await startOrigin();
const rows: Row[] = [];
try {
  await throughput();
  await streaming();
  await cacheRow();
  await relayRows();
} finally {
  origin.stop();
  await origin.done;
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

async function throughput(): Promise<void> {
  const ARRAY_BUFFER = http.HttpDataType.ARRAY_BUFFER;
  const req = http.createHttp();
  const kyClient = ky.create({ retry: 0, timeout: 60_000 });
  const clients: Record<string, Client> = {
    "raw fetch": (url) => fetch(url).then((r) => r.arrayBuffer()),
    "http face": (url) => req.request(url),
    // The default result is a string: this row shows the face without the text decoding.
    "http face, ARRAY_BUFFER": (url) => req.request(url, { expectDataType: ARRAY_BUFFER }),
    ...(typeof (Network as { createHTTPClient?: unknown }).createHTTPClient === "function"
      ? { "Network face": networkClient }
      : {}),
    "ky": (url) => kyClient(url).arrayBuffer(),
    "axios": (url) => axios.get(url, { responseType: "arraybuffer" }),
  };
  try {
    for (const size of [13, 64 * 1024]) {
      for (const inFlight of [1, 50]) {
        // Long samples: a short one measures the JIT warming up and the last client's garbage.
        const count = QUICK ? 300 : inFlight === 1 ? 2000 : 10_000;
        const url = `${origin.url}/?size=${size}`;
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
        const test = `${size === 13 ? "13 B" : "64 KiB"} × ${inFlight} in flight`;
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
      args: ["-s", "-Z", "--parallel-max", String(inFlight), `${url}&n=[1-${count}]`],
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
  for (let round = 0; round < Math.min(ROUNDS, 3); round++) {
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
    const value = row.unit === "ms/req" ? row.value.toFixed(3) : row.value.toFixed(0);
    console.log(
      `| ${row.test} | ${row.client} | ${value} ${row.unit} | ${
        row.ratio === null ? "" : row.ratio.toFixed(2)
      } | ${row.extra ?? ""} |`,
    );
  }
}

async function startOrigin() {
  const child = new Deno.Command("node", {
    args: [new URL("./server.mjs", import.meta.url).pathname, "0"],
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
    url: `http://127.0.0.1:${text.trim()}`,
    stop: () => child.kill("SIGTERM"),
    done: child.status,
  };
}
