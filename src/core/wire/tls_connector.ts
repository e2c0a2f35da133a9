/**
 * TLS on a connected socket with `node:tls`, honouring a request's
 * {@linkcode TlsControl} (pins, verification mode or callback, version
 * bounds, SNI, partial chains), its extra CAs (`caPath`, `caData`) and its
 * client certificate. What Deno's `node:tls` cannot enforce is refused
 * before any byte is sent: a cipher list (measured: Deno 2.9.6 negotiates
 * its own suites whatever the list says, even an unknown name), TLS
 * versions other than 1.2 and 1.3. See `docs/tls.md`.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { createHash, X509Certificate } from "node:crypto";
import type { Socket } from "node:net";
import tls from "node:tls";
import { type ErrorCode, NetError, type NetErrorDetails } from "../errors.ts";
import type { TransportOptions } from "../request.ts";
import { caCertificatesFromText, loadCaCertificates, loadClientIdentity } from "../tls.ts";
import type { PeerCertificates, TlsControl } from "../transport.ts";
import { ROOTS_HINT, trustStore } from "./roots.ts";

/** The TLS versions this runtime speaks. */
const VERSIONS = new Set(["TLSv1.2", "TLSv1.3"]);

/** Details of a failure caused by the TLS control member `field`. */
function about(field: string): { details: NetErrorDetails } {
  return { details: { field, phase: "tls", transport: "socket" } };
}

/** What a finished handshake tells. */
export interface TlsResult {
  readonly socket: tls.TLSSocket;
  readonly tlsVersion: string | null;
  readonly cipher: string | null;
  readonly alpn: string | null;
  /** `performance.now()` when the handshake (and every check) was done. */
  readonly done: number;
}

/**
 * Refuses TLS control this runtime cannot honour, with a `NetError` naming
 * the option: a cipher list (`TLS_CIPHER`), versions other than TLS 1.2 and
 * 1.3, or a minimum above the maximum (`INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * import { checkTlsControl } from "./tls_connector.ts";
 * checkTlsControl({
 *   pins: [], verify: "system", minVersion: "TLSv1.2", maxVersion: null,
 *   ciphers: null, serverName: null, partialChain: false,
 * });
 * ```
 */
export function checkTlsControl(control: TlsControl): void {
  if (control.ciphers !== null) {
    throw new NetError(
      "TLS_CIPHER",
      "'tls.ciphers' cannot be enforced: this runtime's TLS (rustls under node:tls) negotiates " +
        "its own cipher suites whatever the list says, so a request with a cipher list is " +
        "refused rather than sent with suites it did not allow",
      about("tls.ciphers"),
    );
  }
  for (
    const [name, value] of [["minVersion", control.minVersion], [
      "maxVersion",
      control.maxVersion,
    ]] as const
  ) {
    if (value !== null && !VERSIONS.has(value)) {
      throw new NetError(
        "INVALID_ARGUMENT",
        `'tls.${name}' must be TLSv1.2 or TLSv1.3 (this runtime has no other TLS version), got ${
          JSON.stringify(value)
        }`,
        about(`tls.${name}`),
      );
    }
  }
  if (control.minVersion === "TLSv1.3" && control.maxVersion === "TLSv1.2") {
    throw new NetError(
      "INVALID_ARGUMENT",
      "'tls.minVersion' TLSv1.3 is above 'tls.maxVersion' TLSv1.2",
      about("tls.minVersion"),
    );
  }
  for (const pin of control.pins) {
    if (!/^[A-Za-z0-9+/]{43}=$/.test(pin)) {
      throw new NetError(
        "INVALID_ARGUMENT",
        `'tls.pins' holds ${
          JSON.stringify(pin.slice(0, 60))
        }, not a base64 SHA-256 hash (44 characters, as in curl's sha256//…)`,
        about("tls.pins"),
      );
    }
  }
}

/**
 * Runs the TLS handshake on `socket` for `hostname` and every check the
 * options ask for. Rejects with `TLS_PEER` (verification, the callback),
 * `TLS_PIN` (no pin matches), `TLS_HANDSHAKE` (protocol failures), `TLS_CLIENT_CERT`,
 * `TLS_CA_FILE`, `TLS_CIPHER`, or the signal's reason; the socket is
 * destroyed on failure.
 *
 * @example
 * ```ts ignore
 * import net from "node:net";
 * import { startTls } from "./tls_connector.ts";
 * const raw = net.connect({ host: "127.0.0.1", port: 8443 });
 * const { socket, tlsVersion } = await startTls(raw, "localhost", options, signal);
 * ```
 */
export async function startTls(
  socket: Socket,
  hostname: string,
  options: TransportOptions | undefined,
  signal: AbortSignal,
): Promise<TlsResult> {
  try {
    const control = options?.tls ?? null;
    if (control) checkTlsControl(control);
    const extraCas = await extraCertificates(options);
    const identity = options?.clientCert ? await loadClientIdentity(options.clientCert) : null;
    signal.throwIfAborted();
    const serverName = control?.serverName ?? hostname;
    const verify = control?.verify ?? "system";
    const connectOptions: tls.ConnectionOptions = {
      socket,
      // `host` is what the certificate's names are checked against; `servername` goes in SNI.
      host: serverName,
      ALPNProtocols: ["http/1.1"],
      rejectUnauthorized: verify === "system",
    };
    // An IP literal is never sent in SNI (RFC 6066 §3).
    if (!/^[\d.]+$|:/.test(serverName)) connectOptions.servername = serverName;
    if (verify === "skip") connectOptions.checkServerIdentity = () => undefined;
    if (control?.minVersion) connectOptions.minVersion = control.minVersion;
    if (control?.maxVersion) connectOptions.maxVersion = control.maxVersion;
    // node:tls replaces the default roots with `ca` (measured), so they are added back.
    let hint = "";
    if (extraCas.length > 0) {
      const store = trustStore(extraCas);
      connectOptions.ca = store.ca;
      if (!store.withRoots) hint = ROOTS_HINT;
    }
    if (identity) Object.assign(connectOptions, identity);

    const secured = await handshake(connectOptions, signal, identity !== null, hint);
    try {
      await checkPeer(secured, control, serverName, extraCas, socket.remoteAddress ?? null);
    } catch (error) {
      secured.destroy();
      throw error;
    }
    const cipher = secured.getCipher();
    return {
      socket: secured,
      tlsVersion: secured.getProtocol() ?? null,
      cipher: cipher?.standardName ?? cipher?.name ?? null,
      alpn: typeof secured.alpnProtocol === "string" ? secured.alpnProtocol : null,
      done: performance.now(),
    };
  } catch (error) {
    socket.destroy();
    throw signal.aborted ? error : tlsFailure(error, false, "");
  }
}

/** The certificates of `caPath` and `caData`, PEM. */
async function extraCertificates(options: TransportOptions | undefined): Promise<string[]> {
  const certs: string[] = [];
  if (options?.caPath) certs.push(...await loadCaCertificates(options.caPath));
  if (options?.caData) certs.push(...caCertificatesFromText(options.caData, "caData"));
  return certs;
}

function handshake(
  options: tls.ConnectionOptions,
  signal: AbortSignal,
  sentClientCert: boolean,
  hint: string,
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    let secured: tls.TLSSocket;
    const onAbort = () => {
      secured.destroy();
      reject(signal.reason);
    };
    try {
      secured = tls.connect(options, () => {
        signal.removeEventListener("abort", onAbort);
        secured.removeAllListeners("error");
        resolve(secured);
      });
    } catch (error) {
      reject(tlsFailure(error, sentClientCert, hint));
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    secured.once("error", (error) => {
      signal.removeEventListener("abort", onAbort);
      secured.destroy();
      reject(tlsFailure(error, sentClientCert, hint));
    });
  });
}

/** Pins, then the chain's anchor (partial chains), then the caller's callback. */
async function checkPeer(
  socket: tls.TLSSocket,
  control: TlsControl | null,
  hostname: string,
  extraCas: readonly string[],
  remoteAddress: string | null,
): Promise<void> {
  if (!control) return;
  const chain = peerChain(socket);
  if (control.pins.length > 0) checkPins(chain[0], control.pins);
  if (control.verify === "system" && !control.partialChain && extraCas.length > 0) {
    checkAnchor(chain, extraCas);
  }
  if (typeof control.verify !== "function") return;
  const peer: PeerCertificates = {
    chain: chain.map((cert) => new Uint8Array(cert.raw)),
    hostname,
    remoteAddress,
    systemVerdict: {
      ok: socket.authorized,
      reason: socket.authorized ? null : String(socket.authorizationError ?? "not verified"),
    },
  };
  let verdict: unknown;
  try {
    verdict = await control.verify(peer);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new NetError("TLS_PEER", `the certificate validation callback threw: ${detail}`, {
      cause: error,
      ...about("tls.verify"),
    });
  }
  if (verdict !== true) {
    throw new NetError(
      "TLS_PEER",
      `the certificate validation callback did not accept the server's certificate (it returned ${
        verdict === false ? "false" : typeof verdict
      })`,
      about("tls.verify"),
    );
  }
}

/** The peer's chain, leaf first: what the server sent, with the trust anchor when verified. */
function peerChain(socket: tls.TLSSocket): tls.DetailedPeerCertificate[] {
  const chain: tls.DetailedPeerCertificate[] = [];
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert?.raw && !chain.includes(cert)) {
    chain.push(cert);
    cert = cert.issuerCertificate;
  }
  if (chain.length === 0) throw new NetError("TLS_PEER", "the server sent no certificate");
  return chain;
}

/**
 * sha256 of the leaf's SubjectPublicKeyInfo, base64: curl's `--pinnedpubkey
 * sha256//…`. The SPKI is taken from the certificate itself: for EC keys
 * Deno's `getPeerCertificate().pubkey` is the bare curve point, not the SPKI
 * (measured), so hashing it would never match.
 */
function checkPins(leaf: tls.DetailedPeerCertificate | undefined, pins: readonly string[]): void {
  let spki: Buffer;
  try {
    spki = new X509Certificate(leaf!.raw).publicKey.export({ type: "spki", format: "der" });
  } catch (error) {
    throw new NetError("TLS_PEER", "the server's public key cannot be read for pinning", {
      cause: error,
      ...about("tls.pins"),
    });
  }
  const hash = createHash("sha256").update(spki).digest("base64");
  if (!pins.includes(hash)) {
    throw new NetError(
      "TLS_PIN",
      `certificate pinning: the server's public key (sha256//${hash}) matches none of the ${pins.length} pinned hash${
        pins.length === 1 ? "" : "es"
      }`,
      about("tls.pins"),
    );
  }
}

/**
 * Without partial chains, the chain must end at a self-signed trust anchor.
 * The default roots are all self-signed, so only an extra CA that is not
 * (an intermediate given as `caPath`/`caData`) can end a chain early.
 */
function checkAnchor(chain: tls.DetailedPeerCertificate[], extraCas: readonly string[]): void {
  const anchor = chain[chain.length - 1]!;
  const anchorDer = Buffer.from(anchor.raw);
  for (const pem of extraCas) {
    const ca = new X509Certificate(pem);
    if (!ca.raw.equals(anchorDer)) continue;
    if (ca.subject === ca.issuer && ca.verify(ca.publicKey)) return;
    throw new NetError(
      "TLS_PEER",
      `the chain ends at a trusted intermediate (${
        ca.subject.replace(/\n/g, ", ")
      }), not at a root; partial chains are off (enable them to accept this)`,
      about("tls.partialChain"),
    );
  }
}

/** Certificate errors that mean the server's certificate was not accepted. */
const PEER_CODES =
  /^(?:ERR_TLS_CERT_ALTNAME_INVALID|UNABLE_TO_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE)/;

/** Alerts a server sends when it does not accept the client's certificate. */
const CLIENT_CERT_ALERTS =
  /BadCertificate|UnsupportedCertificate|CertificateRevoked|CertificateExpired|CertificateUnknown|UnknownCA|CertificateRequired|AccessDenied/i;

/** A handshake failure as a `NetError`; `hint` is added to certificate failures. */
function tlsFailure(error: unknown, sentClientCert: boolean, hint: string): NetError {
  if (error instanceof NetError) return error;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new NetError("PERMISSION_DENIED", (error as Error).message, { cause: error });
  }
  const code = String((error as { code?: unknown })?.code ?? "");
  const text = error instanceof Error ? error.message : String(error);
  let kind: ErrorCode = "TLS_HANDSHAKE";
  if (PEER_CODES.test(code) || /certificate|Hostname\/IP does not match/i.test(text)) {
    kind = "TLS_PEER";
  }
  if (/received fatal alert/i.test(text)) {
    kind = sentClientCert && CLIENT_CERT_ALERTS.test(text) ? "TLS_CLIENT_CERT" : "TLS_HANDSHAKE";
  }
  const detail = `${text}${code ? ` (${code})` : ""}${kind === "TLS_PEER" ? hint : ""}`;
  return new NetError(kind, detail, {
    cause: error,
    details: { phase: "tls", transport: "socket" },
  });
}
