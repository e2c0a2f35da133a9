// Servers for the socket-level connector tests, all on 127.0.0.1 and stopped with `await using`:
// python's ssl module (OpenSSL) as a TLS server limited to one version, choosing a certificate by
// SNI, or asking for a client certificate; Debian's dante as a SOCKS5 proxy. Plus the expected
// pin of a certificate computed with the openssl command line, independently of the code under
// test, and a raw HTTP/1.1 exchange over a connector's connection.

import { requireBinary } from "./_helpers.ts";
import { OPENSSL } from "./_tls.ts";
import type { NetError } from "../src/core/errors.ts";
import type { TransportOptions } from "../src/core/request.ts";
import type { TlsControl } from "../src/core/transport.ts";
import type { ByteConnection, ConnectTarget } from "../src/core/wire/connection.ts";
import { optionsConnector } from "../src/core/wire/options_connector.ts";

export const PYTHON = "/usr/bin/python3";
export const DANTED = "/usr/sbin/danted";

/** A child process serving on `port`, killed and awaited on dispose. */
export interface TestServer {
  port: number;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of `_tls_server.py`. */
export interface TlsServerOptions {
  cert: string;
  key: string;
  min?: "1.2" | "1.3";
  max?: "1.2" | "1.3";
  /** Certificates chosen by SNI name. */
  sni?: Record<string, { cert: string; key: string }>;
  /** Require a client certificate signed by this CA. */
  clientCa?: string;
}

/** Starts `_tls_server.py`; `null` when python3 is missing (requireBinary). */
export async function startTlsServer(o: TlsServerOptions): Promise<TestServer | null> {
  if (!requireBinary(PYTHON)) return null;
  const args = [new URL("./_tls_server.py", import.meta.url).pathname, o.cert, o.key];
  if (o.min) args.push("--min", o.min);
  if (o.max) args.push("--max", o.max);
  for (const [name, files] of Object.entries(o.sni ?? {})) {
    args.push("--sni", `${name}=${files.cert},${files.key}`);
  }
  if (o.clientCa) args.push("--client-ca", o.clientCa);
  const child = new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped", stdin: "null" })
    .spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  const port = Number(text.trim());
  if (!port) {
    child.kill("SIGKILL");
    const { stderr } = await child.output();
    throw new Error(`_tls_server.py did not start: ${new TextDecoder().decode(stderr)}`);
  }
  return {
    port,
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGKILL");
      } catch { /* already exited */ }
      await child.stderr.cancel().catch(() => {});
      await child.status;
    },
  };
}

/** Dante's SOCKS5 server without authentication; `log()` reads its log. */
export interface Danted extends TestServer {
  log(): Promise<string>;
}

/** Starts `danted` in the foreground with a config in a temp dir; `null` when it is missing. */
export async function startDanted(): Promise<Danted | null> {
  if (!requireBinary(DANTED)) return null;
  const dir = await Deno.makeTempDir({ prefix: "wire_danted_" });
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await Deno.writeTextFile(
    `${dir}/danted.conf`,
    [
      `logoutput: ${dir}/danted.log`,
      `internal: 127.0.0.1 port = ${port}`,
      "external: 127.0.0.1",
      "clientmethod: none",
      "socksmethod: none",
      "user.privileged: root",
      "user.unprivileged: nobody",
      "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }",
      "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect }",
      "",
    ].join("\n"),
  );
  const child = new Deno.Command(DANTED, {
    args: ["-f", `${dir}/danted.conf`, "-p", `${dir}/danted.pid`, "-N", "1"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  for (let i = 0;; i++) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      break;
    } catch {
      if (i === 200) {
        child.kill("SIGKILL");
        const { stderr } = await child.output();
        throw new Error(`danted did not listen: ${new TextDecoder().decode(stderr)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  return {
    port,
    log: () => Deno.readTextFile(`${dir}/danted.log`).catch(() => ""),
    async [Symbol.asyncDispose]() {
      try {
        child.kill("SIGTERM");
      } catch { /* already exited */ }
      await child.stderr.cancel().catch(() => {});
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** curl's `--pinnedpubkey sha256//…` hash of a PEM certificate, computed by the openssl CLI. */
export async function spkiPin(certPem: string): Promise<string> {
  const script = `${OPENSSL} x509 -in '${certPem}' -pubkey -noout | ${OPENSSL} pkey -pubin ` +
    `-outform der | ${OPENSSL} dgst -sha256 -binary | base64`;
  const out = await new Deno.Command("/bin/sh", { args: ["-c", script] }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim();
}

/**
 * Sends `GET path` over `conn` (origin form, or absolute form when the connection says so, with
 * its proxy headers), reads the answer to the end (the servers close), closes the connection.
 */
export async function exchange(
  conn: ByteConnection,
  host: string,
  path = "/",
): Promise<{ status: number; body: string; head: string }> {
  const target = conn.facts.requestTarget === "absolute" ? `http://${host}${path}` : path;
  const lines = [`GET ${target} HTTP/1.1`, `Host: ${host}`, "Connection: close"];
  for (const [name, value] of conn.facts.proxyHeaders ?? []) lines.push(`${name}: ${value}`);
  const bytes = new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n");
  for (let sent = 0; sent < bytes.byteLength;) sent += await conn.write(bytes.subarray(sent));
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const buffer = new Uint8Array(16384);
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(buffer.slice(0, n));
    }
  } finally {
    conn.close();
  }
  const text = new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
  const split = text.indexOf("\r\n\r\n");
  const head = text.slice(0, split);
  return { status: Number(head.split(" ")[1]), head, body: text.slice(split + 4) };
}

/** Transport options with nothing set: each test adds what it is about. */
export const BASE_OPTIONS: TransportOptions = {
  caPath: null,
  clientCert: null,
  proxy: "direct",
  dns: null,
  exactConnectTimeout: false,
};

/** A TLS control that asks for nothing but the system's checks, with `o` on top. */
export function tlsControl(o: Partial<TlsControl> = {}): TlsControl {
  return {
    pins: [],
    verify: "system",
    minVersion: null,
    maxVersion: null,
    ciphers: null,
    serverName: null,
    partialChain: false,
    ...o,
  };
}

/** `GET path` through the options connector; resolves to the answer and the connection's facts. */
export async function connectorGet(
  to: ConnectTarget,
  options: Partial<TransportOptions>,
  path = "/",
): Promise<{ status: number; body: string; head: string; facts: ByteConnection["facts"] }> {
  const conn = await optionsConnector.connect(
    to,
    { ...BASE_OPTIONS, ...options },
    AbortSignal.timeout(10_000),
  );
  const facts = conn.facts;
  const host = to.hostname.includes(":") ? `[${to.hostname}]` : to.hostname;
  return { ...await exchange(conn, `${host}:${to.port}`, path), facts };
}

/** The NetError a connection attempt through the options connector fails with. */
export async function connectorFailure(
  to: ConnectTarget,
  options: Partial<TransportOptions>,
): Promise<NetError> {
  try {
    await connectorGet(to, options);
  } catch (error) {
    return error as NetError;
  }
  throw new Error("expected the connection to fail");
}

/** An intermediate CA `<name>.pem`/`<name>.key` in `dir`, signed by the CA `ca` (PEM and key). */
export async function makeIntermediate(
  dir: string,
  name: string,
  ca: { pem: string; key: string },
): Promise<{ pem: string; key: string; dir: string; name: string }> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(OPENSSL, { args, cwd: dir, stdout: "null", stderr: "piped" })
      .output();
    if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  };
  await run(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-subj",
    `/CN=${name}`,
    "-out",
    `${name}.csr`,
  );
  await Deno.writeTextFile(
    `${dir}/${name}.ext`,
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n" +
      "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
  );
  await run(
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    ca.pem,
    "-CAkey",
    ca.key,
    "-set_serial",
    String(Date.now()),
    "-days",
    "2",
    "-extfile",
    `${name}.ext`,
    "-out",
    `${name}.pem`,
  );
  return { pem: `${dir}/${name}.pem`, key: `${dir}/${name}.key`, dir, name };
}

/** A minimal HTTP proxy behind TLS (an `https:` proxy URL): CONNECT only; `tunnels` lists them. */
export function startTlsConnectProxy(
  cert: string,
  key: string,
): TestServer & { tunnels: string[] } {
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, cert, key });
  const tunnels: string[] = [];
  const conns = new Set<Deno.Conn>();
  const tasks = new Set<Promise<unknown>>();
  const serve = async (client: Deno.Conn) => {
    const buffer = new Uint8Array(4096);
    let head = "";
    while (!head.includes("\r\n\r\n")) {
      const n = await client.read(buffer);
      if (n === null) return;
      head += new TextDecoder().decode(buffer.subarray(0, n));
    }
    const line = head.slice(0, head.indexOf("\r\n"));
    tunnels.push(line);
    const [host, port] = line.split(" ")[1]!.split(":") as [string, string];
    const upstream = await Deno.connect({
      hostname: host === "localhost" ? "127.0.0.1" : host,
      port: Number(port),
    });
    conns.add(upstream);
    await client.write(new TextEncoder().encode("HTTP/1.1 200 Connection established\r\n\r\n"));
    await Promise.allSettled([
      client.readable.pipeTo(upstream.writable),
      upstream.readable.pipeTo(client.writable),
    ]);
  };
  const loop = (async () => {
    try {
      for await (const client of listener) {
        conns.add(client);
        const task = serve(client).catch(() => {});
        tasks.add(task);
      }
    } catch { /* closed */ }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    tunnels,
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      await loop;
      await Promise.allSettled(tasks);
    },
  };
}
