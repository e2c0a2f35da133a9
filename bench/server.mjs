// Benchmark origin (Node, its own process): fixed bodies and a long stream, over
// http, or over https when a certificate and key are given.
// Usage: node bench/server.mjs PORT [CERT.pem KEY.pem]
import { readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";

const port = Number(process.argv[2] ?? 0);
const [certPath, keyPath] = process.argv.slice(3);
const createServer = certPath
  ? (handler) =>
    createHttpsServer({ cert: readFileSync(certPath), key: readFileSync(keyPath) }, handler)
  : createHttpServer;
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
  // `type=bin`: octet-stream, which every client (the http face included) returns as bytes.
  const type = url.searchParams.get("type") === "bin" ? "application/octet-stream" : "text/plain";
  res.writeHead(200, { "content-length": String(buf.length), "content-type": type });
  res.end(buf);
});
server.keepAliveTimeout = 600_000;
server.listen(port, "127.0.0.1", () => {
  process.stdout.write(`${server.address().port}\n`);
});
