// deno-lint-ignore-file no-console
/**
 * The cost of importing the library for one plain GET, in its own process:
 * `deno run -A bench/import_client.ts MODE URL` prints {"ms","rss"}: the
 * time from process start to the end of the request, and peak RSS in MiB.
 * MODE `raw` uses `fetch` alone, `http` imports mod.ts and uses the http face.
 * `BENCH_SOCKET=1` (`0`): the GET goes over the socket-level engine (`fetch`)
 * whatever the default is.
 *
 * @module
 */

const [mode, url] = Deno.args as [string, string];
if (mode === "http") {
  const { default: http } = await import("../mod.ts");
  const socket = Deno.env.get("BENCH_SOCKET");
  if (socket) (await import("../src/core/router.ts")).useSocketByDefault(socket === "1");
  const req = http.createHttp();
  await req.request(url);
  req.destroy();
} else {
  await (await fetch(url)).arrayBuffer();
}
// performance.now() counts from the time origin, the start of the process.
const status = await Deno.readTextFile("/proc/self/status");
const peakKiB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
console.log(JSON.stringify({ ms: performance.now(), rss: peakKiB / 1024 }));
