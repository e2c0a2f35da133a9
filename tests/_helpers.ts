// Shared helpers for tests: loopback servers that stop with `await using`.

import http from "../ohos.ts";
import { useSocketByDefault } from "../src/core/router.ts";

/**
 * Plain http on the socket-level engine from the first request (no warm-up
 * on `fetch`) until disposed: `using _engine = onEngine();` in a test that
 * asserts the engine's own values.
 */
export function onEngine(): Disposable {
  const before = useSocketByDefault(true);
  return { [Symbol.dispose]: () => void useSocketByDefault(before) };
}

/** An HttpRequest destroyed by `using`. */
export function createHttp(): http.HttpRequest & Disposable {
  const req = http.createHttp();
  return Object.assign(req, { [Symbol.dispose]: () => req.destroy() });
}

/** The BusinessError a request rejects with; fails the test when it succeeds. */
export async function failure(
  promise: Promise<unknown>,
  what = "the request",
): Promise<http.BusinessError> {
  try {
    await promise;
  } catch (error) {
    return error as http.BusinessError;
  }
  throw new Error(`expected ${what} to fail`);
}

/** A Deno.serve on 127.0.0.1 with an OS-chosen port. */
export function serve(
  handler: (request: Request) => Response | Promise<Response>,
): Deno.HttpServer<Deno.NetAddr> & { url: string } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return Object.assign(server, { url: `http://127.0.0.1:${server.addr.port}` });
}

/** A raw TCP server on loopback whose handler owns each connection (for faults). */
export function rawServer(
  handler: (conn: Deno.TcpConn) => Promise<void>,
): { url: string; port: number; [Symbol.asyncDispose](): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.TcpConn>();
  const tasks = new Set<Promise<void>>();
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        const task = handler(conn).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch { /* already closed */ }
          conns.delete(conn);
        });
        tasks.add(task);
        task.finally(() => tasks.delete(task));
      }
    } catch { /* listener closed */ }
  })();
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      await loop;
      await Promise.all(tasks);
    },
  };
}

/** A raw server that reads the request head, then runs `handler` on the connection (faults). */
export function faultServer(
  handler: (conn: Deno.TcpConn) => Promise<void>,
): ReturnType<typeof rawServer> {
  return rawServer(async (conn) => {
    await readHead(conn);
    await handler(conn);
  });
}

/** Waits until the client closes the connection (or the server is disposed). */
export async function untilClosed(conn: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(1024);
  try {
    while (await conn.read(buffer) !== null) { /* drain */ }
  } catch { /* reset or closed by dispose */ }
}

/** Reads the request head (up to the blank line) from a raw connection. */
export async function readHead(conn: Deno.Conn): Promise<string> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(65536);
  let text = "";
  while (!text.includes("\r\n\r\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += decoder.decode(buffer.subarray(0, n));
  }
  return text;
}

/** Writes a string to a raw connection. */
export async function write(conn: Deno.Conn, text: string | Uint8Array): Promise<void> {
  const bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** A free loopback port with nothing listening (bound, then released). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Where Debian's python3-httpbin lives (`startHttpbin`). */
export const HTTPBIN = "/usr/lib/python3/dist-packages/httpbin/core.py";

/**
 * The test options of a test that starts these server binaries: when one is
 * missing the test is reported as ignored (Deno's `ignore:`), never passed
 * silently; with `CI=true` it runs anyway and fails on the missing binary
 * (`requireBinary`).
 */
export function needs(...paths: string[]): { ignore: boolean } {
  if (Deno.env.get("CI") === "true") return { ignore: false };
  return { ignore: !paths.every(exists) };
}

/**
 * `Deno.test` for tests that start these server binaries (see {@linkcode needs}).
 * Files group them as `const test = { proxy: testWith(TINYPROXY) }` and
 * register with `test.proxy("name", async () => …)`.
 */
export function testWith(
  ...paths: string[]
): (name: string, fn: (t: Deno.TestContext) => void | Promise<void>) => void {
  const options = needs(...paths);
  return (name, fn) => Deno.test({ name, fn, ...options });
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Fails under CI=true when a required server binary is missing; otherwise
 * tells the test to skip (the test itself is registered with {@linkcode testWith}).
 */
export function requireBinary(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`${path} is missing: install it (.ci/run does)`);
    }
    return false;
  }
}

/** Starts Debian's python3-httpbin on a loopback port; stop it with `await using`. */
export async function startHttpbin(): Promise<
  { url: string; [Symbol.asyncDispose](): Promise<void> } | null
> {
  if (!requireBinary(HTTPBIN)) return null;
  const port = closedPort();
  const child = new Deno.Command("/usr/bin/python3", {
    args: ["-m", "httpbin.core", "--host", "127.0.0.1", "--port", String(port)],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    async [Symbol.asyncDispose]() {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}

/**
 * Runs `script` in a new Deno process (read from stdin, so relative imports resolve from the
 * working directory) with `flags` before the `-`, and returns its output; killed after 20 s.
 */
export async function runDenoScript(
  script: string,
  flags: readonly string[],
  env?: Record<string, string>,
): Promise<Deno.CommandOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...flags, "-"],
    ...env ? { env } : {},
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const timer = setTimeout(() => child.kill(), 20_000);
  try {
    return await child.output();
  } finally {
    clearTimeout(timer);
  }
}
