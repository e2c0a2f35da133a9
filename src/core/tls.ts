/**
 * TLS material from files, in the PEM form `Deno.createHttpClient` takes:
 * extra trusted CA certificates (`caCerts`) and a client certificate with its
 * private key (`cert`, `key`).
 *
 * Deno accepts PEM only, silently ignores a `caCerts` entry that is not a
 * certificate, and cannot open encrypted keys or PKCS#12 bundles; so every
 * file is read and checked here: DER is converted, encrypted keys are
 * decrypted with `node:crypto`, PKCS#12 bundles are opened with node-forge.
 * Failures are `NetError`s: `TLS_CA_FILE` for CA files,
 * `TLS_CLIENT_CERT` for the client certificate, `PERMISSION_DENIED`
 * when Deno may not read the file.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import forgeModule from "node-forge";
import { type ErrorCode, NetError } from "./errors.ts";
import type { ClientCertificate } from "./request.ts";

/** A client certificate chain and its unencrypted private key, both PEM. */
export interface ClientIdentity {
  /** The leaf certificate first, then any chain certificates. */
  readonly cert: string;
  /** PKCS#8 `PRIVATE KEY`. */
  readonly key: string;
}

/** The part of node-forge used here (its own package has no types; @types/node-forge drags in @types/node). */
interface Forge {
  asn1: {
    fromDer(bytes: unknown): ForgeAsn1;
    toDer(asn1: ForgeAsn1): { getBytes(): string };
  };
  util: { createBuffer(binary: string): unknown };
  pkcs12: {
    pkcs12FromAsn1(asn1: ForgeAsn1, strict: boolean, password: string): {
      getBags(filter: { bagType: string }): Record<string, ForgeBag[] | undefined>;
    };
  };
  pki: {
    oids: Record<string, string>;
    certificateToPem(cert: unknown): string;
    privateKeyToAsn1(key: unknown): ForgeAsn1;
    wrapRsaPrivateKey(asn1: ForgeAsn1): ForgeAsn1;
    privateKeyInfoToPem(asn1: ForgeAsn1): string;
  };
}

/** An ASN.1 node of node-forge. */
type ForgeAsn1 = { readonly tagClass: number };

/** A PKCS#12 bag: `key`/`cert` are null when forge cannot model them (non-RSA); `asn1` remains. */
interface ForgeBag {
  key?: unknown;
  cert?: unknown;
  asn1?: ForgeAsn1;
  attributes?: { localKeyId?: string[] };
}

const forge = forgeModule as Forge;

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
const KEY_LABELS = new Set([
  "PRIVATE KEY",
  "RSA PRIVATE KEY",
  "EC PRIVATE KEY",
  "ENCRYPTED PRIVATE KEY",
]);

/**
 * The certificates of a PEM file, or of every file in a directory (files
 * without a certificate are skipped). Rejects with `TLS_CA_FILE` when the path
 * is missing or unreadable, or holds no certificate or a malformed one.
 */
export async function loadCaCertificates(path: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw fileError("TLS_CA_FILE", `caPath '${path}'`, error);
  }
  if (!info.isDirectory) {
    const certs = certificatesIn(await readText("TLS_CA_FILE", `caPath '${path}'`, path), path);
    if (certs.length === 0) {
      throw new NetError("TLS_CA_FILE", `caPath '${path}' holds no PEM certificate`);
    }
    return certs;
  }
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(path)) if (!entry.isDirectory) names.push(entry.name);
  } catch (error) {
    throw fileError("TLS_CA_FILE", `caPath '${path}'`, error);
  }
  const certs: string[] = [];
  let total = 0;
  for (const name of names.sort()) {
    const file = `${path.replace(/\/+$/, "")}/${name}`;
    const text = await readText("TLS_CA_FILE", `caPath '${file}'`, file);
    total += text.length;
    if (total > MAX_TLS_FILE) {
      throw new NetError(
        "TLS_CA_FILE",
        `caPath directory '${path}' holds over ${MAX_TLS_FILE} bytes`,
      );
    }
    certs.push(...certificatesIn(text, file));
  }
  if (certs.length === 0) {
    throw new NetError("TLS_CA_FILE", `caPath directory '${path}' holds no PEM certificate`);
  }
  return certs;
}

/**
 * The certificates of PEM text, such as a request's `caData`. Rejects with
 * `TLS_CA_FILE` when the text holds no certificate or a malformed one;
 * `where` names the source in the message.
 *
 * @example
 * ```ts ignore
 * import { caCertificatesFromText } from "./tls.ts";
 * const certs = caCertificatesFromText(await Deno.readTextFile("ca.pem"), "caData");
 * ```
 */
export function caCertificatesFromText(text: string, where: string): string[] {
  const certs = certificatesIn(text, where);
  if (certs.length === 0) throw new NetError("TLS_CA_FILE", `${where} holds no PEM certificate`);
  return certs;
}

/**
 * Reads a client certificate and its key: PEM (the key in `keyPath`, or in
 * the certificate file when `keyPath` is empty), DER (certificate and key
 * converted), or a PKCS#12 bundle in `certPath` (`keyPath` unused).
 * `keyPassword` opens an encrypted key or the bundle. Rejects with
 * `TLS_CLIENT_CERT` for unreadable or malformed files and wrong passwords.
 */
export async function loadClientIdentity(spec: ClientCertificate): Promise<ClientIdentity> {
  const certBytes = await readBytes(
    "TLS_CLIENT_CERT",
    `clientCert.certPath '${spec.certPath}'`,
    spec.certPath,
  );
  if (spec.certType === "P12") return fromPkcs12(certBytes, spec);

  let certs: string[];
  let keySource: string | Uint8Array | null = null;
  if (spec.certType === "DER") {
    certs = [derCertificateToPem(certBytes, spec.certPath)];
  } else {
    const text = new TextDecoder().decode(certBytes);
    certs = pemBlocks(text).filter((b) => b.label === "CERTIFICATE").map((b) => b.pem);
    if (certs.length === 0) {
      throw new NetError(
        "TLS_CLIENT_CERT",
        `clientCert.certPath '${spec.certPath}' holds no PEM certificate`,
      );
    }
    keySource = pemBlocks(text).find((b) => KEY_LABELS.has(b.label))?.pem ?? null;
  }
  for (const [i, pem] of certs.entries()) {
    checkCertificate("TLS_CLIENT_CERT", pem, `${spec.certPath} #${i + 1}`);
  }
  if (spec.keyPath !== "") {
    const keyBytes = await readBytes(
      "TLS_CLIENT_CERT",
      `clientCert.keyPath '${spec.keyPath}'`,
      spec.keyPath,
    );
    const text = new TextDecoder().decode(keyBytes);
    keySource = text.includes("-----BEGIN") ? text : keyBytes;
  }
  if (keySource === null) {
    throw new NetError(
      "TLS_CLIENT_CERT",
      `clientCert: no private key ('keyPath' is empty and '${spec.certPath}' holds none)`,
    );
  }
  const where = spec.keyPath || spec.certPath;
  return { cert: certs.join(""), key: pkcs8Pem(privateKey(keySource, spec.keyPassword, where)) };
}

/** The certificate PEM blocks of `text`, each checked to parse. */
function certificatesIn(text: string, path: string): string[] {
  const certs = pemBlocks(text).filter((b) => b.label === "CERTIFICATE").map((b) => b.pem);
  for (const [i, pem] of certs.entries()) checkCertificate("TLS_CA_FILE", pem, `${path} #${i + 1}`);
  return certs;
}

function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({
    label: m[1]!,
    pem: `-----BEGIN ${m[1]}-----\n${m[2]!.trim()}\n-----END ${m[1]}-----\n`,
  }));
}

function checkCertificate(code: ErrorCode, pem: string, where: string): void {
  try {
    new X509Certificate(pem);
  } catch (error) {
    throw new NetError(code, `certificate ${where} is malformed: ${message(error)}`, {
      cause: error,
    });
  }
}

function derCertificateToPem(der: Uint8Array, path: string): string {
  try {
    // node:crypto would also take PEM bytes here; DER is an ASN.1 SEQUENCE.
    if (der[0] !== 0x30) throw new Error("not DER (no ASN.1 SEQUENCE at the start)");
    return new X509Certificate(der).toString();
  } catch (error) {
    throw new NetError(
      "TLS_CLIENT_CERT",
      `clientCert.certPath '${path}' is not a DER certificate: ${message(error)}`,
      { cause: error },
    );
  }
}

/** Opens a PEM (possibly encrypted) or DER (PKCS#8, PKCS#1 or SEC1) private key. */
function privateKey(source: string | Uint8Array, password: string, where: string): KeyObject {
  const passphrase = password === "" ? undefined : password;
  const attempts = typeof source === "string"
    ? [{ key: source, format: "pem" as const }]
    : (["pkcs8", "pkcs1", "sec1"] as const).map((type) => ({
      key: Buffer.from(source),
      format: "der" as const,
      type,
    }));
  let lastError: unknown;
  for (const attempt of attempts) {
    try {
      return createPrivateKey(passphrase === undefined ? attempt : { ...attempt, passphrase });
    } catch (error) {
      lastError = error;
    }
  }
  const encrypted = typeof source === "string"
    ? /ENCRYPTED/.test(source)
    : /passphrase|decrypt|bad password|interrupted/i.test(message(lastError));
  const hint = encrypted
    ? (passphrase === undefined
      ? " (the key is encrypted: set keyPassword)"
      : " (wrong keyPassword?)")
    : "";
  throw new NetError(
    "TLS_CLIENT_CERT",
    `private key '${where}' cannot be opened${hint}: ${message(lastError)}`,
    { cause: lastError },
  );
}

function pkcs8Pem(key: KeyObject): string {
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}

/** Certificate chain (leaf first) and key of a PKCS#12 bundle; EC keys via their raw ASN.1. */
function fromPkcs12(bytes: Uint8Array, spec: ClientCertificate): ClientIdentity {
  let p12: ReturnType<Forge["pkcs12"]["pkcs12FromAsn1"]>;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(binaryString(bytes)));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, spec.keyPassword);
  } catch (error) {
    throw new NetError(
      "TLS_CLIENT_CERT",
      `clientCert.certPath '${spec.certPath}' cannot be opened as PKCS#12: ${message(error)}`,
      { cause: error },
    );
  }
  const bags = (type: string) => p12.getBags({ bagType: type })[type] ?? [];
  const { oids } = forge.pki;
  const keyBags = [...bags(oids.pkcs8ShroudedKeyBag!), ...bags(oids.keyBag!)];
  const certBags = bags(oids.certBag!);
  const keyBag = keyBags[0];
  if (!keyBag || certBags.length === 0) {
    throw new NetError(
      "TLS_CLIENT_CERT",
      `clientCert.certPath '${spec.certPath}' holds no ${keyBag ? "certificate" : "private key"}`,
    );
  }
  const keyId = keyBag.attributes?.localKeyId?.[0];
  const leaf = certBags.find((bag) => keyId && bag.attributes?.localKeyId?.[0] === keyId) ??
    certBags[0]!;
  const chain = [leaf, ...certBags.filter((bag) => bag !== leaf)];
  const cert = chain.map((bag) =>
    bag.cert ? forge.pki.certificateToPem(bag.cert) : pem("CERTIFICATE", bagDer(bag))
  ).join("");
  const keyPem = keyBag.key
    ? forge.pki.privateKeyInfoToPem(
      forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(keyBag.key)),
    )
    : pem("PRIVATE KEY", bagDer(keyBag));
  return { cert, key: pkcs8Pem(privateKey(keyPem, "", spec.certPath)) };
}

/** The DER bytes (as a binary string) of a bag forge could not model (non-RSA keys and certificates). */
function bagDer(bag: ForgeBag): string {
  const asn1 = bag.asn1;
  if (!asn1) throw new NetError("TLS_CLIENT_CERT", "a PKCS#12 bag has no content");
  return forge.asn1.toDer(asn1).getBytes();
}

function pem(label: string, binary: string): string {
  const base64 = btoa(binary).replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

function binaryString(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return out;
}

/**
 * The most bytes read from one TLS file, and from all files of a CA
 * directory: a CA bundle of every public root is about 250 KiB.
 */
const MAX_TLS_FILE = 16 * 1024 * 1024;

/**
 * The bytes of a regular file of at most {@linkcode MAX_TLS_FILE} bytes. A
 * FIFO would block the read forever and a device such as `/dev/zero` never
 * ends, so anything else fails before it is opened.
 */
async function readBytes(code: ErrorCode, what: string, path: string): Promise<Uint8Array> {
  let file: Deno.FsFile | undefined;
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw new NetError(code, `${what} is not a regular file`);
    if (info.size > MAX_TLS_FILE) {
      throw new NetError(code, `${what} is larger than ${MAX_TLS_FILE} bytes`);
    }
    file = await Deno.open(path);
    const bytes = new Uint8Array(info.size + 1);
    let size = 0;
    for (let n: number | null = 0; n !== null && size < bytes.byteLength;) {
      n = await file.read(bytes.subarray(size));
      size += n ?? 0;
    }
    // One byte more than stat said: the file grew, so its size is not what was checked.
    if (size > info.size) throw new NetError(code, `${what} changed while it was read`);
    return bytes.subarray(0, size);
  } catch (error) {
    throw error instanceof NetError ? error : fileError(code, what, error);
  } finally {
    file?.close();
  }
}

async function readText(code: ErrorCode, what: string, path: string): Promise<string> {
  return new TextDecoder().decode(await readBytes(code, what, path));
}

function fileError(code: ErrorCode, what: string, error: unknown): NetError {
  if (error instanceof Deno.errors.NotCapable) {
    return new NetError("PERMISSION_DENIED", `${what}: ${message(error)}`, { cause: error });
  }
  return new NetError(code, `${what} cannot be read: ${message(error)}`, { cause: error });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
