/**
 * One client of `bench/instructions.sh`: COUNT requests, 50 in flight, to
 * ORIGIN through the client named by CLIENT. Nothing is timed: valgrind
 * counts the instructions.
 *
 * Usage: deno run -A bench/instructions_client.ts CLIENT ORIGIN COUNT
 *
 * @module
 */

import http, { Network } from "../mod.ts";
import ky from "npm:ky@^1.7.0";
import { useSocketByDefault, useSocketForHttps } from "../src/core/router.ts";
import { sharedStack } from "../src/core/stack.ts";

const socket = Deno.env.get("BENCH_SOCKET");
if (socket === "1" || socket === "0") useSocketByDefault(socket === "1");
if (Deno.env.get("BENCH_SOCKET_HTTPS") === "1") useSocketForHttps(true);

const [name = "raw", origin = "", countText = "1000"] = Deno.args;
const count = Number(countText);
const req = http.createHttp();
const kyClient = ky.create({ retry: 0, timeout: 60_000 });

const clients: Record<string, (url: string) => Promise<unknown>> = {
  "raw": (url) => fetch(url).then((r) => r.arrayBuffer()),
  "http": (url) => req.request(url),
  // A new request object per request, destroyed after: the issue 18 target's usage.
  "http-new": async (url) => {
    const own = http.createHttp();
    try {
      return await own.request(url);
    } finally {
      own.destroy();
    }
  },
  "http-arraybuffer": (url) => req.request(url, { expectDataType: http.HttpDataType.ARRAY_BUFFER }),
  "network": (url) =>
    new Promise((resolve, reject) => {
      const client = Network.createHTTPClient({
        onload: resolve,
        onerror: (e) => reject(new Error(e.error)),
      });
      client.open("GET", url);
      client.send();
    }),
  "ky": (url) => kyClient(url).arrayBuffer(),
  // The core stack without a face, with a face's default limits and a signal: what a face adds
  // is the difference.
  "core": (url) =>
    sharedStack().dispatch({
      url: new URL(url),
      method: "GET",
      headers: new Headers(),
      body: null,
      totalTimeout: 60_000,
      connectTimeout: 60_000,
      maxBodySize: 5 * 1024 * 1024,
      protocol: "auto",
      maxRedirects: 30,
      bodyMode: "buffer",
      priority: 1,
      cookies: null,
      startTime: performance.now(),
      signal: coreSignal,
    }, {}),
};
const coreSignal = new AbortController().signal;
const run = clients[name];
if (!run) throw new Error(`unknown client ${name}: ${Object.keys(clients).join(", ")}`);
let started = 0;
try {
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (started++ < count) await run(origin);
  }));
} finally {
  req.destroy();
}
