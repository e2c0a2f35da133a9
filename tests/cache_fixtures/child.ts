// A separate `deno run` process that uses the response cache: started by the
// cache tests with one JSON argument (see ChildJob in ../_cache_helpers.ts).
// It prints `chunk <bytes>` lines while streaming when asked, then one JSON
// line with a result per request and the cache info.
// deno-lint-ignore-file no-console

import http from "../../mod.ts";

interface Job {
  location: string;
  maxSize?: number;
  requests: Array<{ url: string; stream?: boolean }>;
  progress?: boolean;
}

const job = JSON.parse(Deno.args[0]!) as Job;
const cache = http.createHttpResponseCache(undefined, {
  ...(job.location ? { location: job.location } : {}), // "" for the default location
  ...(job.maxSize !== undefined ? { maxSize: job.maxSize } : {}),
});
const req = http.createHttp();
const results = [];
for (const { url, stream } of job.requests) {
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
      results.push({ url, status, size: body.byteLength, sha256: await sha256(body), fromCache });
    } else {
      const res = await req.request(url, { expectDataType: http.HttpDataType.ARRAY_BUFFER });
      const body = new Uint8Array(res.result as ArrayBuffer);
      results.push({
        url,
        status: res.responseCode,
        size: body.byteLength,
        sha256: await sha256(body),
        fromCache: res.performanceTiming.fromCache === true,
      });
    }
  } catch (error) {
    results.push({
      url,
      status: 0,
      size: 0,
      sha256: "",
      fromCache: false,
      error: JSON.stringify(error),
    });
  }
}
req.destroy();
await cache.flush();
const info = await cache.info();
await cache.close();
console.log(JSON.stringify({ results, info }));

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
