// Real servers for the transport tests, each started in a temp dir with its
// own config and stopped with `await using`: a throwaway CA (made by _tls.ts),
// nginx, tinyproxy and dnsmasq, all on 127.0.0.1. Under CI=true a missing
// binary fails the test (requireBinary); otherwise the test is skipped.

import { closedPort, requireBinary } from "./_helpers.ts";
import {
  certDir,
  type CertFiles,
  encryptKey,
  exportDer,
  exportP12,
  type KeyType,
  makeCa,
  makeCert,
} from "./_tls.ts";

export const NGINX = "/usr/sbin/nginx";
export const TINYPROXY = "/usr/bin/tinyproxy";
export const DNSMASQ = "/usr/sbin/dnsmasq";

/** Paths of the certificate material `makePki` writes. */
export interface Pki {
  dir: string;
  /** The CA every server certificate is signed by. */
  caPem: string;
  /** Another CA that signed nothing the servers use. */
  otherCaPem: string;
  /** Server certificate for localhost, app.test and 127.0.0.1. */
  serverPem: string;
  serverKey: string;
  /** RSA client certificate in every form. */
  rsa: ClientFiles;
  /** EC (P-256) client certificate in every form. */
  ec: ClientFiles;
  /** A client certificate signed by the other CA (refused by nginx). */
  strangerPem: string;
  strangerKey: string;
  /** Password of the encrypted keys and P12 bundles. */
  password: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** One client certificate as PEM, DER, encrypted PKCS#8 and PKCS#12. */
export interface ClientFiles {
  pem: string;
  key: string;
  der: string;
  keyDer: string;
  encryptedKey: string;
  p12: string;
}

/** A client certificate signed by `ca` in every form, protected by `password` where it can be. */
async function makeClient(
  ca: CertFiles,
  name: string,
  cn: string,
  key: KeyType,
  password: string,
): Promise<ClientFiles> {
  const cert = await makeCert(ca.dir, name, ca, { cn, key, usage: "client" });
  return {
    pem: cert.pem,
    key: cert.key,
    ...await exportDer(cert),
    encryptedKey: await encryptKey(cert, password),
    p12: await exportP12(cert, ca, password),
  };
}

/** Makes a CA, a server certificate and client certificates; `null` when openssl is missing. */
export async function makePki(): Promise<Pki | null> {
  const tmp = await certDir("transport_pki_");
  if (!tmp) return null;
  const dir = tmp.path;
  const password = "s3cret";
  try {
    const ca = await makeCa(dir, "ca", { cn: "Transport Test CA" });
    const other = await makeCa(dir, "other", { cn: "Other Test CA" });
    const server = await makeCert(dir, "server", ca, {
      cn: "localhost",
      san: "DNS:localhost,DNS:app.test,IP:127.0.0.1",
    });
    const stranger = await makeCert(dir, "stranger", other, { cn: "stranger", usage: "client" });
    return {
      dir,
      caPem: ca.pem,
      otherCaPem: other.pem,
      serverPem: server.pem,
      serverKey: server.key,
      rsa: await makeClient(ca, "client-rsa", "rsa-client", "rsa", password),
      ec: await makeClient(ca, "client-ec", "ec-client", "ec", password),
      strangerPem: stranger.pem,
      strangerKey: stranger.key,
      password,
      [Symbol.asyncDispose]: () => tmp[Symbol.asyncDispose](),
    };
  } catch (error) {
    await tmp[Symbol.asyncDispose]();
    throw error;
  }
}

/** A child process that is stopped (and awaited) on dispose. */
export interface Daemon {
  dir: string;
  /** Reads the daemon's log file. */
  log(): Promise<string>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function waitForTcp(port: number, child: Deno.ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  child.kill("SIGKILL");
  const { stderr } = await child.output();
  throw new Error(`${what} did not listen on ${port}: ${new TextDecoder().decode(stderr)}`);
}

function spawn(path: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(path, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
}

function daemon(
  dir: string,
  child: Deno.ChildProcess,
  logFile: string,
  signal: Deno.Signal,
): Daemon {
  return {
    dir,
    log: () => Deno.readTextFile(logFile).catch(() => ""),
    async [Symbol.asyncDispose]() {
      try {
        child.kill(signal);
      } catch { /* already exited */ }
      await child.stderr.cancel().catch(() => {});
      await child.status;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** nginx ports: TLS (h2 and 1.1), TLS with `ssl_verify_client on`, plain HTTP/1.1, plain h2c. */
export interface Nginx extends Daemon {
  tlsPort: number;
  mtlsPort: number;
  httpPort: number;
  h2cPort: number;
}

/**
 * nginx (no daemon, one process) with the PKI's server certificate. Every
 * answer is `<label> <server_protocol> <client DN>`; the access log has one
 * line per request: `port protocol verify "dn" method uri status c<connection>`.
 */
export async function startNginx(pki: Pki): Promise<Nginx | null> {
  if (!requireBinary(NGINX)) return null;
  const dir = await Deno.makeTempDir({ prefix: "transport_nginx_" });
  const [tlsPort, mtlsPort, httpPort, h2cPort] = [
    closedPort(),
    closedPort(),
    closedPort(),
    closedPort(),
  ];
  const tls = `ssl_certificate ${pki.serverPem}; ssl_certificate_key ${pki.serverKey};`;
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 128; }
http {
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  log_format probe '$server_port $server_protocol $ssl_client_verify "$ssl_client_s_dn" $request_method $request_uri $status c$connection';
  access_log ${dir}/access.log probe;
  default_type text/plain;
  server { listen 127.0.0.1:${tlsPort} ssl http2; ${tls}
    location / { return 200 "tls $server_protocol\\n"; } }
  server { listen 127.0.0.1:${mtlsPort} ssl http2; ${tls}
    ssl_client_certificate ${pki.caPem}; ssl_verify_client on;
    location / { return 200 "mtls $server_protocol $ssl_client_s_dn\\n"; } }
  server { listen 127.0.0.1:${httpPort};
    location / { return 200 "http $server_protocol\\n"; } }
  server { listen 127.0.0.1:${h2cPort} http2;
    location / { return 200 "h2c $server_protocol\\n"; } }
}
`;
  await Deno.writeTextFile(`${dir}/nginx.conf`, conf);
  const child = spawn(NGINX, ["-p", dir, "-c", `${dir}/nginx.conf`, "-e", `${dir}/error.log`]);
  await waitForTcp(tlsPort, child, "nginx");
  await waitForTcp(httpPort, child, "nginx");
  return {
    ...daemon(dir, child, `${dir}/access.log`, "SIGQUIT"),
    tlsPort,
    mtlsPort,
    httpPort,
    h2cPort,
  };
}

/** tinyproxy on loopback; its log names every request it carried. */
export interface Tinyproxy extends Daemon {
  port: number;
  /** The request lines tinyproxy logged (`GET http://…`, `CONNECT host:port`). */
  requests(): Promise<string[]>;
}

/** Starts tinyproxy; `auth` requires `Proxy-Authorization: Basic` with that user and password. */
export async function startTinyproxy(
  auth?: { username: string; password: string },
): Promise<Tinyproxy | null> {
  if (!requireBinary(TINYPROXY)) return null;
  const dir = await Deno.makeTempDir({ prefix: "transport_tinyproxy_" });
  const port = closedPort();
  const conf = [
    `Port ${port}`,
    "Listen 127.0.0.1",
    "Timeout 30",
    `LogFile "${dir}/tinyproxy.log"`,
    "LogLevel Info",
    "MaxClients 50",
    "Allow 127.0.0.1",
    `PidFile "${dir}/tinyproxy.pid"`,
    "DisableViaHeader Yes",
    ...(auth ? [`BasicAuth ${auth.username} ${auth.password}`] : []),
  ].join("\n");
  await Deno.writeTextFile(`${dir}/tinyproxy.conf`, conf + "\n");
  const child = spawn(TINYPROXY, ["-d", "-c", `${dir}/tinyproxy.conf`]);
  await waitForTcp(port, child, "tinyproxy");
  const base = daemon(dir, child, `${dir}/tinyproxy.log`, "SIGTERM");
  return {
    ...base,
    port,
    async requests() {
      const log = await base.log();
      return [...log.matchAll(/Request \(file descriptor \d+\): (\S+ \S+)/g)].map((m) => m[1]!);
    },
  };
}

/** dnsmasq answering `app.test` (and `names`) with 127.0.0.1; other `.test` names are NXDOMAIN. */
export interface Dnsmasq extends Daemon {
  port: number;
}

/** Starts dnsmasq on a loopback port with no upstream servers. */
export async function startDnsmasq(names: string[] = ["app.test"]): Promise<Dnsmasq | null> {
  if (!requireBinary(DNSMASQ)) return null;
  const dir = await Deno.makeTempDir({ prefix: "transport_dnsmasq_" });
  const port = closedPort();
  const child = spawn(DNSMASQ, [
    "-k",
    "--conf-file=/dev/null",
    "--no-resolv",
    "--no-hosts",
    `--port=${port}`,
    "--listen-address=127.0.0.1",
    "--bind-interfaces",
    "--local=/test/",
    ...names.map((name) => `--host-record=${name},127.0.0.1`),
    `--pid-file=${dir}/dnsmasq.pid`,
    "--user=root",
    "--log-queries",
    `--log-facility=${dir}/dnsmasq.log`,
  ]);
  await waitForTcp(port, child, "dnsmasq");
  return { ...daemon(dir, child, `${dir}/dnsmasq.log`, "SIGTERM"), port };
}
