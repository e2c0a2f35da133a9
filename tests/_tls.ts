// Throwaway certificates for the TLS tests, made with openssl in a temp dir: CAs, and server
// or client certificates signed by them (EC or RSA, any names and validity dates), plus the
// forms a client certificate can be handed over in (DER, encrypted PKCS#8, PKCS#12).

import { requireBinary } from "./_helpers.ts";

export const OPENSSL = "/usr/bin/openssl";

/** EC is P-256; RSA is 2048 bits. */
export type KeyType = "ec" | "rsa";

/** A certificate and its unencrypted key: `<name>.pem` and `<name>.key` in `dir`. */
export interface CertFiles {
  dir: string;
  name: string;
  pem: string;
  key: string;
}

/** Subject and key of a certificate; `san` is an openssl subjectAltName, e.g. "IP:127.0.0.1". */
export interface NameOptions {
  cn: string;
  key?: KeyType;
  san?: string;
}

/** A self-signed CA, valid from now for `days` (2). */
export interface CaOptions extends NameOptions {
  days?: number;
}

/**
 * A certificate for a server (the default) or a client, valid from `notBefore` (now) to
 * `notAfter` (`days`, 2, later): dates in the past or future make expired or not-yet-valid ones.
 */
export interface CertOptions extends NameOptions {
  usage?: "server" | "client";
  days?: number;
  notBefore?: Date;
  notAfter?: Date;
}

/** A temp dir that is removed on dispose. */
export interface TempDir {
  path: string;
  [Symbol.asyncDispose](): Promise<void>;
}

const DAY_MS = 86_400_000;

const KEY_ARGS: Record<KeyType, string[]> = {
  ec: ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
  rsa: ["-newkey", "rsa:2048"],
};

/** A temp dir for certificates; `null` when openssl is missing (requireBinary: skip, or fail under CI). */
export async function certDir(prefix: string): Promise<TempDir | null> {
  if (!requireBinary(OPENSSL)) return null;
  const path = await Deno.makeTempDir({ prefix });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

async function openssl(dir: string, ...args: string[]): Promise<void> {
  const out = await new Deno.Command(OPENSSL, { args, cwd: dir, stdout: "null", stderr: "piped" })
    .output();
  if (!out.success) {
    throw new Error(`openssl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

function files(dir: string, name: string): CertFiles {
  return { dir, name, pem: `${dir}/${name}.pem`, key: `${dir}/${name}.key` };
}

/** `openssl req` with a new unencrypted key for `out` and the subject `/CN=<o.cn>`. */
async function reqWithNewKey(out: CertFiles, o: NameOptions, ...args: string[]): Promise<void> {
  await openssl(
    out.dir,
    "req",
    ...KEY_ARGS[o.key ?? "ec"],
    "-nodes",
    "-keyout",
    out.key,
    "-subj",
    `/CN=${o.cn}`,
    ...args,
  );
}

/** A self-signed CA certificate; with `san` it also serves as an untrusted self-signed server certificate. */
export async function makeCa(dir: string, name: string, o: CaOptions): Promise<CertFiles> {
  const ca = files(dir, name);
  await reqWithNewKey(
    ca,
    o,
    "-x509",
    "-out",
    ca.pem,
    "-days",
    String(o.days ?? 2),
    // Stated here rather than left to the system openssl.cnf, whose defaults vary.
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign",
    ...(o.san ? ["-addext", `subjectAltName=${o.san}`] : []),
  );
  return ca;
}

/** A certificate for `o.cn` signed by `ca`. */
export async function makeCert(
  dir: string,
  name: string,
  ca: CertFiles,
  o: CertOptions,
): Promise<CertFiles> {
  const cert = files(dir, name);
  await reqWithNewKey(cert, o, "-new", "-out", `${name}.csr`);
  await Deno.writeTextFile(`${dir}/${name}.ext`, leafExtensions(o));
  const notBefore = o.notBefore ?? new Date();
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + (o.days ?? 2) * DAY_MS);
  // `openssl ca`, unlike `x509 -req` in OpenSSL 3.0, takes a start date as well as an end date.
  await openssl(
    dir,
    "ca",
    "-batch",
    "-notext",
    "-config",
    await caConfig(ca),
    "-cert",
    ca.pem,
    "-keyfile",
    ca.key,
    "-extfile",
    `${name}.ext`,
    "-startdate",
    asn1Time(notBefore),
    "-enddate",
    asn1Time(notAfter),
    "-in",
    `${name}.csr`,
    "-out",
    cert.pem,
  );
  return cert;
}

function leafExtensions(o: CertOptions): string {
  return [
    "basicConstraints=CA:FALSE",
    "keyUsage=digitalSignature",
    `extendedKeyUsage=${o.usage === "client" ? "clientAuth" : "serverAuth"}`,
    // What `x509 -req` adds by itself, so certificates look the same whichever signed them.
    "subjectKeyIdentifier=hash",
    "authorityKeyIdentifier=keyid",
    ...(o.san ? [`subjectAltName=${o.san}`] : []),
    "",
  ].join("\n");
}

/** The minimal `openssl ca` setup for `ca`: its own database, random serials, CN-only subjects. */
async function caConfig(ca: CertFiles): Promise<string> {
  const database = `${ca.dir}/${ca.name}.index`;
  await Deno.writeTextFile(database, "", { append: true });
  const config = `${ca.dir}/${ca.name}.cnf`;
  await Deno.writeTextFile(
    config,
    [
      "[ca]",
      "default_ca = this",
      "[this]",
      `database = ${database}`,
      `new_certs_dir = ${ca.dir}`,
      "rand_serial = yes",
      "unique_subject = no",
      "default_md = sha256",
      "policy = cn",
      "[cn]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  return config;
}

/** `2020-01-01T00:00:00.000Z` → `20200101000000Z`. */
function asn1Time(date: Date): string {
  return date.toISOString().replace(/[-:T]|\.\d+/g, "");
}

/** `cert` and its key as DER (the key as unencrypted PKCS#8): `<name>.der`, `<name>.key.der`. */
export async function exportDer(cert: CertFiles): Promise<{ der: string; keyDer: string }> {
  const der = `${cert.dir}/${cert.name}.der`;
  const keyDer = `${cert.dir}/${cert.name}.key.der`;
  await openssl(cert.dir, "x509", "-in", cert.pem, "-outform", "DER", "-out", der);
  await openssl(
    cert.dir,
    "pkcs8",
    "-topk8",
    "-nocrypt",
    "-in",
    cert.key,
    "-outform",
    "DER",
    "-out",
    keyDer,
  );
  return { der, keyDer };
}

/** `cert`'s key as PEM PKCS#8 encrypted (AES-256-CBC) with `password`: `<name>.enc.key`. */
export async function encryptKey(cert: CertFiles, password: string): Promise<string> {
  const out = `${cert.dir}/${cert.name}.enc.key`;
  await openssl(
    cert.dir,
    "pkcs8",
    "-topk8",
    "-v2",
    "aes-256-cbc",
    "-in",
    cert.key,
    "-passout",
    `pass:${password}`,
    "-out",
    out,
  );
  return out;
}

/** A PKCS#12 bundle of `cert`, its key and `ca`, encrypted with `password`: `<name>.p12`. */
export async function exportP12(cert: CertFiles, ca: CertFiles, password: string): Promise<string> {
  const out = `${cert.dir}/${cert.name}.p12`;
  await openssl(
    cert.dir,
    "pkcs12",
    "-export",
    "-in",
    cert.pem,
    "-inkey",
    cert.key,
    "-certfile",
    ca.pem,
    "-passout",
    `pass:${password}`,
    "-out",
    out,
  );
  return out;
}

/** The CA's PEM path, and the server certificate and key as PEM text. */
export interface ServerCertificate {
  ca: string;
  cert: string;
  key: string;
}

/** Makes `ca.pem` and a server certificate for `san` (both EC, valid for two days) in `dir`. */
export async function makeServerCertificate(
  dir: string,
  san = "DNS:localhost,IP:127.0.0.1",
): Promise<ServerCertificate> {
  const ca = await makeCa(dir, "ca", { cn: "netstack test CA" });
  const server = await makeCert(dir, "server", ca, { cn: "localhost", san });
  return {
    ca: ca.pem,
    cert: await Deno.readTextFile(server.pem),
    key: await Deno.readTextFile(server.key),
  };
}
