// deno-lint-ignore-file no-console
/**
 * The socket-level HTTP/1.1 engine against raw `fetch`, side by side in one
 * process: each client sends COUNT GETs, 50 in flight, and reads each body
 * whole; rounds alternate between clients; the result is each client's rate
 * as a multiple of raw fetch's (ratio of median round times). Peers: the
 * engine over `Deno.connect` instead of `node:net` (the socket choice), and
 * undici's `request` (the engine choice). The origin is bench/server.mjs in
 * its own Node process, over http, or https with `--https`.
 *
 * Usage: deno run -A bench/wire_bench.ts [SIZE] [--https] [--rounds N]
 *
 * @module
 */

import { Http1Transport } from "../src/core/wire/http1_transport.ts";
import { registerConnector } from "../src/core/wire/connection.ts";
import { denoConnConnection } from "./wire_deno_conn.ts";
import type { WireResponse } from "../src/core/transport.ts";
import { Agent, request as undiciRequest } from "npm:undici@7";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const size = Number(args[0] ?? 13);
const https = Deno.args.includes("--https");
const roundsAt = Deno.args.indexOf("--rounds");
const rounds = roundsAt >= 0 ? Number(Deno.args[roundsAt + 1]) : 9;
const count = size >= 65536 ? 1000 : 3000;

const dir = await Deno.makeTempDir();
let caPem = "";
const serverArgs = ["bench/server.mjs", "0"];
if (https) {
  const run = (args: string[]) => new Deno.Command("openssl", { args, stderr: "null" }).output();
  await run([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${dir}/key.pem`,
    "-out",
    `${dir}/cert.pem`,
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ]);
  caPem = await Deno.readTextFile(`${dir}/cert.pem`);
  serverArgs.push(`${dir}/cert.pem`, `${dir}/key.pem`);
}
const server = new Deno.Command("node", { args: serverArgs, stdout: "piped" }).spawn();
const reader = server.stdout.getReader();
const { value } = await reader.read();
reader.releaseLock();
const port = Number(new TextDecoder().decode(value).trim());
const origin = `${https ? "https" : "http"}://${https ? "localhost" : "127.0.0.1"}:${port}`;
const url = `${origin}/?size=${size}`;

const options = https
  ? {
    caPath: null,
    caData: caPem,
    clientCert: null,
    proxy: "direct" as const,
    dns: null,
    exactConnectTimeout: false,
  }
  : undefined;
const fetchClient = https ? Deno.createHttpClient({ caCerts: [caPem], http2: false }) : undefined;
const wire = new Http1Transport({ options, connectTimeout: 0 });
// The same engine over Deno.connect / Deno.connectTls: the socket choice, measured.
const denoConnOptions = {
  ...(options ??
    {
      caPath: null,
      clientCert: null,
      proxy: "direct" as const,
      dns: null,
      exactConnectTimeout: false,
    }),
  addressFamily: 4 as const,
};
registerConnector({
  name: "deno-connect",
  accepts: (_target, o) => o === denoConnOptions,
  connect: async (target) => {
    const conn = target.secure
      ? await Deno.connectTls({
        hostname: target.hostname,
        port: target.port,
        caCerts: [caPem],
        alpnProtocols: ["http/1.1"],
      })
      : await Deno.connect({ hostname: target.hostname, port: target.port });
    if (!target.secure) (conn as Deno.TcpConn).setNoDelay(true);
    return denoConnConnection(conn);
  },
});
const wireDeno = new Http1Transport({ options: denoConnOptions, connectTimeout: 0 });
const agent = new Agent({ connections: 64, connect: https ? { ca: caPem } : undefined });

async function readAll(response: WireResponse): Promise<Uint8Array> {
  const body = response.body;
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const r = body.getReader();
  for (;;) {
    const { done, value } = await r.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

function request(transport: Http1Transport) {
  return async () => {
    const response = await transport.send({
      url: new URL(url),
      method: "GET",
      headers: new Headers(),
      body: null,
      signal: never,
    });
    return (await readAll(response)).byteLength;
  };
}
const never = new AbortController().signal;

const clients: Record<string, () => Promise<number>> = {
  "raw fetch": async () =>
    (await (await fetch(url, fetchClient ? { client: fetchClient } : {})).arrayBuffer()).byteLength,
  "wire (node:net)": request(wire),
  "wire (Deno.connect)": request(wireDeno),
  "undici request": async () => {
    const { body } = await undiciRequest(url, { dispatcher: agent });
    return (await body.arrayBuffer()).byteLength;
  },
};

async function run(client: () => Promise<number>, n: number): Promise<number> {
  let started = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: 50 }, async () => {
    while (started++ < n) {
      const got = await client();
      if (got !== size) throw new Error(`got ${got} bytes, expected ${size}`);
    }
  }));
  return performance.now() - start;
}

const times: Record<string, number[]> = {};
for (const [name, client] of Object.entries(clients)) {
  await run(client, 500);
  times[name] = [];
}
for (let round = 0; round < rounds; round++) {
  for (const [name, client] of Object.entries(clients)) times[name].push(await run(client, count));
}
const median = (list: number[]) => [...list].sort((a, b) => a - b)[list.length >> 1];
const base = median(times["raw fetch"]);
console.log(
  `${size} B over ${https ? "https" : "http"}, ${count} requests × ${rounds} rounds, 50 in flight`,
);
for (const [name, list] of Object.entries(times)) {
  const m = median(list);
  console.log(
    `  ${name.padEnd(22)} ${(count / m * 1000).toFixed(0).padStart(7)} req/s  ${
      (base / m).toFixed(2)
    }× raw fetch`,
  );
}
wire.close();
wireDeno.close();
await agent.close();
fetchClient?.close();
server.kill();
await server.status;
await Deno.remove(dir, { recursive: true });
Deno.exit(0);
