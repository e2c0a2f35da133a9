// Benchmark origin (Node, its own process): fixed bodies and a long stream.
// Usage: node bench/server.mjs PORT
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 0);
const bodies = new Map();
const body = (size) => {
  if (!bodies.has(size)) bodies.set(size, Buffer.alloc(size, "_"));
  return bodies.get(size);
};
const chunk = Buffer.alloc(1024 * 1024);

const server = createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const size = Number(url.searchParams.get("size") ?? 13);
  if (url.pathname === "/stream") {
    res.writeHead(200, {
      "content-length": String(size),
      "content-type": "application/octet-stream",
    });
    let left = size;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          res.once("drain", pump);
          return;
        }
      }
      res.end();
    };
    pump();
    return;
  }
  const buf = body(size);
  res.writeHead(200, { "content-length": String(buf.length), "content-type": "text/plain" });
  res.end(buf);
});
server.keepAliveTimeout = 600_000;
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
