/**
 * The TLS options of `HttpRequestOptions` (`certificatePinning`,
 * `remoteValidation`, `tlsOptions`, `sniHostName`, `enablePartialChain`,
 * `sslType`, `clientEncCert`) read and mapped onto the core's `TlsControl`,
 * and the peer chain turned into OpenHarmony's `ValidationContext`.
 *
 * @module
 */

import { invalidArgument } from "../core/errors.ts";
import type { PeerCertificates, PeerVerifier, TlsControl } from "../core/transport.ts";
import { TlsVersion } from "./enums.ts";
import { isPlainObject, readBoolean, readString } from "./option_readers.ts";
import type { CipherSuite, ValidationCallback, ValidationContext, X509Cert } from "./types.ts";

/** The d.ts's cipher suite names (IANA) and their OpenSSL names. */
export const CIPHER_SUITES: Readonly<Record<CipherSuite, string>> = {
  TLS_AES_128_GCM_SHA256: "TLS_AES_128_GCM_SHA256",
  TLS_AES_256_GCM_SHA384: "TLS_AES_256_GCM_SHA384",
  TLS_CHACHA20_POLY1305_SHA256: "TLS_CHACHA20_POLY1305_SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: "ECDHE-ECDSA-AES128-GCM-SHA256",
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: "ECDHE-RSA-AES128-GCM-SHA256",
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: "ECDHE-ECDSA-AES256-GCM-SHA384",
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: "ECDHE-RSA-AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-ECDSA-CHACHA20-POLY1305",
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "ECDHE-RSA-CHACHA20-POLY1305",
  TLS_RSA_WITH_AES_128_GCM_SHA256: "AES128-GCM-SHA256",
  TLS_RSA_WITH_AES_256_GCM_SHA384: "AES256-GCM-SHA384",
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: "ECDHE-ECDSA-AES128-SHA",
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: "ECDHE-RSA-AES128-SHA",
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: "ECDHE-ECDSA-AES256-SHA",
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: "ECDHE-RSA-AES256-SHA",
  TLS_RSA_WITH_AES_128_CBC_SHA: "AES128-SHA",
  TLS_RSA_WITH_AES_256_CBC_SHA: "AES256-SHA",
  TLS_RSA_WITH_3DES_EDE_CBC_SHA: "DES-CBC3-SHA",
};

const VERSION_NAMES: Partial<Record<number, "TLSv1.2" | "TLSv1.3">> = {
  [TlsVersion.TLS_V_1_2]: "TLSv1.2",
  [TlsVersion.TLS_V_1_3]: "TLSv1.3",
};

/** `certificatePinning`: the base64 SHA-256 SPKI hashes; pins of other algorithms are dropped. */
export function readPins(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const pins: string[] = [];
  list.forEach((pin: unknown, i) => {
    const field = Array.isArray(value) ? `certificatePinning[${i}]` : "certificatePinning";
    if (!isPlainObject(pin)) invalidArgument(field, "must be a CertificatePinning", pin);
    if (pin.hashAlgorithm !== "SHA-256") return; // OpenHarmony drops other algorithms
    const hash = pin.publicKeyHash;
    if (typeof hash !== "string" || !isSha256Base64(hash.trim())) {
      invalidArgument(`${field}.publicKeyHash`, "must be a base64 SHA-256 hash", hash);
    }
    pins.push(hash.trim());
  });
  return pins;
}

function isSha256Base64(text: string): boolean {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(text)) return false;
  return atob(text).length === 32;
}

/** `remoteValidation`: `"system"`, `"skip"` or a function. */
export function readRemoteValidation(value: unknown): "system" | "skip" | ValidationCallback {
  if (value === undefined || value === "system") return "system";
  if (value === "skip" || typeof value === "function") return value as "skip" | ValidationCallback;
  invalidArgument("remoteValidation", 'must be "system", "skip" or a function', value);
}

/** Version bounds and cipher list of `tlsOptions`; `null` members for the runtime's. */
export interface TlsBounds {
  readonly minVersion: "TLSv1.2" | "TLSv1.3" | null;
  readonly maxVersion: "TLSv1.2" | "TLSv1.3" | null;
  readonly ciphers: string | null;
}

const SYSTEM_BOUNDS: TlsBounds = { minVersion: null, maxVersion: null, ciphers: null };

/**
 * `tlsOptions`. TLS 1.0 and 1.1 do not exist in this runtime: a maximum
 * below 1.2 is refused; a minimum below 1.2 offers 1.2 as the lowest.
 */
export function readTlsOptions(value: unknown): TlsBounds {
  if (value === undefined || value === null || value === "system") return SYSTEM_BOUNDS;
  if (!isPlainObject(value)) {
    invalidArgument("tlsOptions", 'must be "system" or a TlsConfig', value);
  }
  const min = readVersion("tlsOptions.tlsVersionMin", value.tlsVersionMin);
  const max = readVersion("tlsOptions.tlsVersionMax", value.tlsVersionMax);
  if (min > max) {
    invalidArgument("tlsOptions.tlsVersionMin", `must not be above tlsVersionMax (${max})`, min);
  }
  if (max < TlsVersion.TLS_V_1_2) {
    invalidArgument(
      "tlsOptions.tlsVersionMax",
      "must be TLS_V_1_2 or TLS_V_1_3: TLS 1.0 and 1.1 are not available in this runtime",
      max,
    );
  }
  return {
    minVersion: VERSION_NAMES[Math.max(min, TlsVersion.TLS_V_1_2)]!,
    maxVersion: VERSION_NAMES[max]!,
    ciphers: readCipherSuites(value.cipherSuites),
  };
}

function readVersion(field: string, value: unknown): number {
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < TlsVersion.TLS_V_1_0 ||
    value > TlsVersion.TLS_V_1_3
  ) {
    invalidArgument(field, "must be a TlsVersion (4 to 7)", value);
  }
  return value;
}

function readCipherSuites(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value)) invalidArgument("tlsOptions.cipherSuites", "must be an array", value);
  if (value.length === 0) return null;
  return value.map((name: unknown, i) => {
    const openssl = typeof name === "string" && Object.hasOwn(CIPHER_SUITES, name)
      ? CIPHER_SUITES[name as CipherSuite]
      : undefined;
    if (!openssl) invalidArgument(`tlsOptions.cipherSuites[${i}]`, "must be a CipherSuite", name);
    return openssl;
  }).join(":");
}

/** `sniHostName`: `null` when absent, empty or over 255 characters (no effect, as OpenHarmony). */
export function readSniHostName(value: unknown): string | null {
  const name = readString("sniHostName", value);
  if (!name || name.length > 255) return null;
  if (/[\s/\\@#?:]/.test(name)) invalidArgument("sniHostName", "must be a host name", value);
  return name;
}

/** `sslType`: only `"TLS"`; TLCP needs a GB/T 38636 stack this runtime does not have. */
export function readSslType(value: unknown): "TLS" {
  if (value === undefined || value === "TLS") return "TLS";
  if (value === "TLCP") {
    invalidArgument("sslType", 'must be "TLS": TLCP is not available in this runtime', value);
  }
  invalidArgument("sslType", 'must be "TLS" or "TLCP"', value);
}

/** `clientEncCert`: the TLCP encryption certificate; TLCP is not available, so any value is refused. */
export function readClientEncCert(value: unknown): null {
  if (value === undefined || value === null) return null;
  invalidArgument(
    "clientEncCert",
    "is a TLCP setting, and TLCP is not available in this runtime",
    value,
  );
}

/** `enablePartialChain`: only an explicit `true` asks for partial chains. */
export function readPartialChain(value: unknown): boolean {
  return readBoolean("enablePartialChain", value) === true;
}

/** The parts of the TLS control a request asks for; `null` when all are the defaults. */
export function tlsControl(
  pins: readonly string[],
  validation: "system" | "skip" | ValidationCallback,
  bounds: TlsBounds,
  serverName: string | null,
  partialChain: boolean,
): TlsControl | null {
  if (
    pins.length === 0 && validation === "system" && bounds === SYSTEM_BOUNDS &&
    serverName === null && !partialChain
  ) {
    return null;
  }
  return {
    pins,
    verify: typeof validation === "function" ? peerVerifier(validation) : validation,
    minVersion: bounds.minVersion,
    maxVersion: bounds.maxVersion,
    ciphers: bounds.ciphers,
    serverName,
    partialChain,
  };
}

/** One verifier per callback: the transport keys its connection pool by it. */
const verifiers = new WeakMap<ValidationCallback, PeerVerifier>();

/** Adapts an OpenHarmony validation callback to the core's verifier (the same one each time). */
export function peerVerifier(callback: ValidationCallback): PeerVerifier {
  let verifier = verifiers.get(callback);
  if (!verifier) {
    verifiers.set(callback, verifier = async (peer) => callback(await validationContext(peer)));
  }
  return verifier;
}

/**
 * The `ValidationContext` of a peer chain. `node:crypto` is loaded here, on
 * the first callback: it would start Deno's Node layer for every import.
 */
export async function validationContext(peer: PeerCertificates): Promise<ValidationContext> {
  const { X509Certificate } = await import("node:crypto");
  return {
    pemCerts: peer.chain.map(toPem),
    x509Certs: peer.chain.map((der) => x509Cert(der, X509Certificate)),
    host: peer.hostname,
    ip: peer.remoteAddress ?? "",
  };
}

function toPem(der: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < der.length; i += 0x8000) {
    binary += String.fromCharCode(...der.subarray(i, i + 0x8000));
  }
  const lines = btoa(binary).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join("\n")}\n-----END CERTIFICATE-----\n`;
}

const encoder = new TextEncoder();

/** A DER certificate as an OpenHarmony `X509Cert`. */
export function x509Cert(
  der: Uint8Array,
  X509Certificate: typeof import("node:crypto").X509Certificate,
): X509Cert {
  const x509 = new X509Certificate(der);
  const name = (text: string) => ({ data: encoder.encode(text.split("\n").join(", ")) });
  return {
    x509,
    getEncoded: () => Promise.resolve({ data: der.slice(), encodingFormat: 0 }),
    getVersion: () => certificateVersion(der),
    getIssuerName: () => name(x509.issuer),
    getSubjectName: () => name(x509.subject),
    getNotBeforeTime: () => utcTime(x509.validFrom),
    getNotAfterTime: () => utcTime(x509.validTo),
  };
}

function utcTime(text: string): string {
  const iso = new Date(text).toISOString(); // 2026-12-03T07:00:00.000Z
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) +
    iso.slice(14, 16) + iso.slice(17, 19) + "Z";
}

/** The version field of the TBSCertificate (`[0] EXPLICIT INTEGER`, absent for v1). */
function certificateVersion(der: Uint8Array): number {
  const inner = (at: number) => {
    const first = der[at + 1]!;
    if (first < 0x80) return at + 2;
    return at + 2 + (first & 0x7f);
  };
  const tbs = inner(0); // Certificate SEQUENCE → TBSCertificate
  const field = inner(tbs);
  if (der[field] !== 0xa0) return 1;
  const integer = inner(field);
  return der[inner(integer)]! + 1;
}
