// A separate `deno run` process that uses the response cache: started by the
// cache tests with one JSON argument (see ChildJob in ../_cache_helpers.ts).
// It prints `chunk <bytes>` lines while streaming when asked, then one JSON
// line with a result per request and the cache info. Steps other than
// requests coordinate with the test through files: `mark` creates one,
// `wait` waits for one, `healthy` waits until the store is no longer degraded.
// deno-lint-ignore-file no-console

import http from "../../mod.ts";

interface Job {
  location: string;
  maxSize?: number;
  storeTimeout?: number;
  required?: boolean;
  requests: Array<
    { url: string; stream?: boolean } | { mark: string } | { wait: string } | { healthy: true }
  >;
  progress?: boolean;
  /** "delete": end with cache.delete() instead of close(); "none": neither (nor flush()). */
  end?: "close" | "delete" | "none";
}

const job = JSON.parse(Deno.args[0]!) as Job;
const cache = http.createHttpResponseCache(undefined, {
  ...(job.location ? { location: job.location } : {}), // "" for the default location
  ...(job.maxSize !== undefined ? { maxSize: job.maxSize } : {}),
  ...(job.storeTimeout !== undefined ? { storeTimeout: job.storeTimeout } : {}),
  ...(job.required !== undefined ? { required: job.required } : {}),
});
const req = http.createHttp();
const results = [];
for (const step of job.requests) {
  if ("mark" in step) {
    await Deno.writeTextFile(step.mark, JSON.stringify(await cache.info()));
    continue;
  }
  if ("wait" in step) {
    while (!await exists(step.wait)) await new Promise((r) => setTimeout(r, 20));
    continue;
  }
  if ("healthy" in step) {
    while ((await cache.info()).degraded) await new Promise((r) => setTimeout(r, 50));
    continue;
  }
  const { url, stream } = step;
  const started = performance.now();
  try {
    if (stream) {
      const chunks: Uint8Array[] = [];
      let received = 0;
      const onData = (data: ArrayBuffer) => {
        chunks.push(new Uint8Array(data));
        received += data.byteLength;
        if (job.progress) console.log(`chunk ${received}`);
      };
      req.on("dataReceive", onData);
      let fromCache = false;
      const onHeaders = (header: object) => {
        fromCache = "age" in header;
      };
      req.on("headersReceive", onHeaders);
      const status = await req.requestInStream(url);
      req.off("dataReceive", onData);
      req.off("headersReceive", onHeaders);
      const body = concat(chunks, received);
      results.push({
        url,
        status,
        size: body.byteLength,
        sha256: await sha256(body),
        fromCache,
        ms: performance.now() - started,
      });
    } else {
      const res = await req.request(url, { expectDataType: http.HttpDataType.ARRAY_BUFFER });
      const body = new Uint8Array(res.result as ArrayBuffer);
      results.push({
        url,
        status: res.responseCode,
        size: body.byteLength,
        sha256: await sha256(body),
        fromCache: res.performanceTiming.fromCache === true,
        ms: performance.now() - started,
      });
    }
  } catch (error) {
    results.push({
      url,
      status: 0,
      size: 0,
      sha256: "",
      fromCache: false,
      ms: performance.now() - started,
      error: JSON.stringify(error),
    });
  }
}
req.destroy();
let flushError: unknown = null;
if (job.end !== "none") await cache.flush().catch((error) => flushError = error);
const info = await cache.info();
if (job.end === "delete") await cache.delete();
else if (job.end !== "none") await cache.close();
console.log(JSON.stringify({ results, info, flushError }));

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
