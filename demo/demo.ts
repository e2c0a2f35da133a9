// deno-lint-ignore-file no-console
/**
 * A tour of the `http` (OpenHarmony) face of @netstack/http. Everything runs
 * against a Deno.serve on 127.0.0.1, so no internet is needed:
 *
 *     deno task demo
 *
 * @module
 */

import http from "../mod.ts";
import type { BusinessError } from "../mod.ts";

const MiB = 1024 * 1024;
const DOWNLOAD_SIZE = 8 * MiB;
const UPLOAD_SIZE = 3 * MiB;
const tty = Deno.stdout.isTerminal();
const encoder = new TextEncoder();

// ── The local server ────────────────────────────────────────────────────────

/** Aborted just before shutdown, so a pending `/slow` handler never holds the server open. */
const stopping = new AbortController();

/** Waits `ms`, or until `signal` aborts: no timer outlives the demo. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
  switch (new URL(req.url).pathname) {
    case "/hello":
      return Response.json(
        { greeting: "hello from Deno.serve", tags: ["demo", "loopback"], answer: 42 },
        { headers: { "x-powered-by": "netstack-demo" } },
      );
    case "/echo":
      return Response.json({
        method: req.method,
        type: req.headers.get("content-type"),
        got: await req.json(),
      });
    case "/download":
      return new Response(new Uint8Array(DOWNLOAD_SIZE).fill(0x2a));
    case "/upload": {
      let received = 0;
      for await (const chunk of req.body ?? []) received += chunk.byteLength;
      return Response.json({ received });
    }
    case "/slow":
      await sleep(5_000, stopping.signal);
      return new Response("too late");
    default:
      return new Response("no such page", { status: 404 });
  }
});
const base = `http://127.0.0.1:${server.addr.port}`;

// ── Output helpers ──────────────────────────────────────────────────────────

const title = (n: number, text: string) => console.log(`\n${n}. ${text}\n${"─".repeat(72)}`);
const note = (text: string) => console.log(`   ${text}`);
const row = (label: string, value: unknown) => console.log(`   ${label.padEnd(22)} ${value}`);
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

/** Splits `text` into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines = [""];
  for (const word of text.split(" ")) {
    const last = lines.length - 1;
    if (lines[last] && lines[last].length + word.length >= width) lines.push(word);
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word;
  }
  return lines;
}

/** A text progress bar: redrawn in place on a terminal, one line per 25% otherwise. */
function progressBar(label: string): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : 0;
    const step = tty ? pct : pct - (pct % 25);
    if (step === shown || (!tty && step === 0)) return;
    shown = step;
    const filled = Math.floor((30 * pct) / 100);
    const bar = `${"█".repeat(filled)}${"░".repeat(30 - filled)}`;
    const line = `   ${label.padEnd(9)} ${bar} ${String(pct).padStart(3)}%  ${mib(done)} / ${
      mib(total)
    }`;
    if (!tty) return console.log(line);
    Deno.stdout.writeSync(encoder.encode(`\r${line}${done >= total ? "\n" : ""}`));
  };
}

console.log(`@netstack/http demo: the OpenHarmony-style \`http\` face against ${base}`);
const req = http.createHttp();

// ── 1. GET, JSON parsed into an object ──────────────────────────────────────

title(1, "GET with expectDataType: OBJECT");
note("The body is parsed as JSON into `result`; header names come back lower-cased.\n");
const hello = await req.request(`${base}/hello`, { expectDataType: http.HttpDataType.OBJECT });
row("responseCode", hello.responseCode);
for (const name of ["content-type", "content-length", "x-powered-by"]) {
  row(`header ${name}`, hello.header[name]);
}
row("result", JSON.stringify(hello.result));
console.log();
note("performanceTiming (ms since request() was called):");
const t = hello.performanceTiming;
const measured = [
  "firstSendTiming",
  "firstReceiveTiming",
  "responseHeaderTiming",
  "responseBodyTiming",
  "totalFinishTiming",
  "totalTiming",
] as const;
for (const key of measured) row(`  ${key}`, t[key].toFixed(3).padStart(8));
note("(dns/tcp/tlsTiming are 0 here: without connection options no relay observes those phases.)");

// ── 2. POST a JSON body ─────────────────────────────────────────────────────

title(2, "POST with an extraData object");
note("An object body is sent as JSON with content-type application/json.\n");
const echo = await req.request(`${base}/echo`, {
  method: http.RequestMethod.POST,
  extraData: { user: "ada", languages: ["ts", "rust"], admin: false },
  expectDataType: http.HttpDataType.OBJECT,
});
const echoed = echo.result as { method: string; type: string; got: unknown };
row("responseCode", echo.responseCode);
row("server saw method", echoed.method);
row("server saw type", echoed.type);
row("server echoed", JSON.stringify(echoed.got));

// ── 3. Streamed download ────────────────────────────────────────────────────

title(3, `requestInStream: an ${mib(DOWNLOAD_SIZE)} download`);
note("Chunks arrive as `dataReceive` events; nothing is buffered, maxLimit does not apply.\n");
let streamed = 0;
const onData = (chunk: ArrayBuffer) => (streamed += chunk.byteLength);
const download = progressBar("download");
const onReceive = (p: http.DataReceiveProgressInfo) => download(p.receiveSize, p.totalSize);
req.on("dataReceive", onData);
req.on("dataReceiveProgress", onReceive);
req.once("dataEnd", () => {
  const ok = streamed === DOWNLOAD_SIZE ? "✓ complete" : "✗ MISMATCH";
  row("dataEnd", `${streamed} of ${DOWNLOAD_SIZE} bytes ${ok}`);
});
const status = await req.requestInStream(`${base}/download`);
req.off("dataReceive", onData);
req.off("dataReceiveProgress", onReceive);
row("resolved with", `status ${status}`);

// ── 4. Upload ───────────────────────────────────────────────────────────────

title(4, `Upload of ${mib(UPLOAD_SIZE)} with dataSendProgress`);
note("An ArrayBuffer body is sent as bytes; progress follows what the network pulls.\n");
const upload = progressBar("upload");
const onSend = (p: http.DataSendProgressInfo) => upload(p.sendSize, p.totalSize);
req.on("dataSendProgress", onSend);
const sent = await req.request(`${base}/upload`, {
  method: http.RequestMethod.POST,
  header: { "content-type": "application/octet-stream" },
  extraData: new Uint8Array(UPLOAD_SIZE).buffer,
  expectDataType: http.HttpDataType.OBJECT,
});
req.off("dataSendProgress", onSend);
row("server received", `${(sent.result as { received: number }).received} bytes`);

// ── 5. Errors ───────────────────────────────────────────────────────────────

title(5, "Error handling");
note("Failures reject with a BusinessError { code, message }; HTTP statuses do not.\n");

async function showError(label: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
    row(label, "✗ unexpectedly succeeded");
  } catch (error) {
    const { code, message } = error as BusinessError;
    const [first, ...rest] = wrap(message, 64);
    row(label, `${String(code).padEnd(8)} ${first}`);
    for (const line of rest) row("", `${"".padEnd(8)} ${line}`);
  }
}

const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
const closedPort = closed.addr.port;
closed.close();

await showError("refused port", () => req.request(`http://127.0.0.1:${closedPort}/`));
await showError("timeout (300 ms)", () => req.request(`${base}/slow`, { readTimeout: 300 }));
await showError("bad argument", () => req.request(`${base}/hello`, { priority: 5000 }));
await showError("maxLimit 1 MiB", () => req.request(`${base}/download`, { maxLimit: MiB }));
const missing = await req.request(`${base}/missing`);
row(
  "404 page",
  `resolved: responseCode ${missing.responseCode}, result ${JSON.stringify(missing.result)}`,
);

// ── Clean up ────────────────────────────────────────────────────────────────

req.destroy();
stopping.abort();
await server.shutdown();
console.log("\nDone: HttpRequest destroyed, server shut down.");
