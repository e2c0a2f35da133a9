/**
 * One client of `bench/wire_instructions.sh`: COUNT GETs, 50 in flight, to
 * ORIGIN, each body read whole as the core reads it. Nothing is timed: valgrind counts the
 * instructions.
 *
 * Usage: deno run -A bench/wire_client.ts CLIENT ORIGIN COUNT
 *   CLIENT: raw | wire | wire-deno | undici
 *
 * @module
 */

import { Http1Transport } from "../src/core/wire/http1_transport.ts";
import { registerConnector } from "../src/core/wire/connection.ts";
import type { TransportOptions } from "../src/core/request.ts";
import { denoConnConnection } from "./wire_deno_conn.ts";

const [name = "raw", origin = "", countText = "1000"] = Deno.args;
const count = Number(countText);
const never = new AbortController().signal;

const denoOptions: TransportOptions = {
  caPath: null,
  clientCert: null,
  proxy: "direct",
  dns: null,
  exactConnectTimeout: false,
  addressFamily: 4,
};
registerConnector({
  name: "deno-connect",
  accepts: (_target, options) => options === denoOptions,
  connect: async (target) => denoConnConnection(await Deno.connect(target)),
});

/** Reads the body as the core's body reader does: a small one whole, a large one BYOB into one array. */
async function wireGet(transport: Http1Transport): Promise<void> {
  const response = await transport.send({
    url: new URL(origin),
    method: "GET",
    headers: new Headers(),
    body: null,
    signal: never,
  });
  const length = Number(response.headers.get("content-length"));
  if (length < (response.arrayBufferIsDirect ? 8 << 20 : 32 * 1024) && response.arrayBuffer) {
    await response.arrayBuffer();
    return;
  }
  const reader = response.body!.getReader({ mode: "byob" });
  let room = new Uint8Array(length);
  let used = 0;
  while (used < length) {
    const { done, value } = await reader.read(room.subarray(used));
    if (done) break;
    room = new Uint8Array(value.buffer);
    used += value.byteLength;
  }
  await reader.cancel();
}

let run: () => Promise<unknown>;
if (name === "raw") run = () => fetch(origin).then((r) => r.arrayBuffer());
else if (name === "wire") {
  const transport = new Http1Transport({ options: undefined, connectTimeout: 0 });
  run = () => wireGet(transport);
} else if (name === "wire-deno") {
  const transport = new Http1Transport({ options: denoOptions, connectTimeout: 0 });
  run = () => wireGet(transport);
} else if (name === "undici") {
  const { Agent, request } = await import("npm:undici@7");
  const agent = new Agent({ connections: 64 });
  run = () => request(origin, { dispatcher: agent }).then((r) => r.body.arrayBuffer());
} else throw new Error(`unknown client ${name}`);

let started = 0;
await Promise.all(Array.from({ length: 50 }, async () => {
  while (started++ < count) await run();
}));
Deno.exit(0);
