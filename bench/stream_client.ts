// deno-lint-ignore-file no-console
/**
 * One streamed download in its own process, so its peak RSS is its own.
 * Usage: deno run -A bench/stream_client.ts MODE URL — prints {"mbps","rss"}.
 * `BENCH_SOCKET=1` (`0`): the library's rows use the socket-level engine (`fetch`) for plain
 * requests, whatever the default is.
 *
 * @module
 */

const [mode, url] = Deno.args as [string, string];
// The raw rows must not load the library: its modules would count in raw fetch's peak RSS.
const { default: http, Network } = mode.startsWith("raw ")
  ? { default: null!, Network: null! }
  : await import("../mod.ts");
const socket = Deno.env.get("BENCH_SOCKET");
if (http && socket) (await import("../src/core/router.ts")).useSocketByDefault(socket === "1");
const t0 = performance.now();
let bytes = 0;

if (mode === "raw fetch") {
  const response = await fetch(url);
  const reader = response.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
} else if (mode === "raw fetch to a file") {
  // The reference for `Network file`: the same disk writes, without the library.
  const path = await Deno.makeTempFile();
  const file = await Deno.open(path, { write: true });
  await (await fetch(url)).body!.pipeTo(file.writable);
  bytes = (await Deno.stat(path)).size;
  await Deno.remove(path);
} else if (mode === "http requestInStream") {
  const req = http.createHttp();
  req.on("dataReceive", (chunk: ArrayBuffer) => bytes += chunk.byteLength);
  await req.requestInStream(url, { readTimeout: 0 });
  req.destroy();
} else if (mode === "Network file") {
  const path = await Deno.makeTempFile();
  await new Promise<void>((resolve, reject) => {
    // deno-lint-ignore no-explicit-any
    const client = (Network as any).createHTTPClient({
      file: path,
      timeout: 0,
      onload: () => resolve(),
      onerror: (e: { error?: string }) => reject(new Error(e.error)),
    });
    client.open("GET", url);
    client.send();
  });
  bytes = (await Deno.stat(path)).size;
  await Deno.remove(path);
} else {
  throw new Error(`unknown mode ${mode}`);
}

const seconds = (performance.now() - t0) / 1000;
const status = await Deno.readTextFile("/proc/self/status");
const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
console.log(JSON.stringify({ mbps: bytes / 1e6 / seconds, rss: peakKiB / 1024, bytes }));
