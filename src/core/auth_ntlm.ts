/**
 * NTLM authentication (MS-NLMP) with NTLMv2 responses: the NEGOTIATE
 * message, the CHALLENGE message parsed, and the AUTHENTICATE message built
 * with MD4 and HMAC-MD5 from `node:crypto`. NTLM authenticates a
 * connection, not a request: the three messages must travel on one
 * keep-alive connection (see `auth_layer.ts`).
 *
 * @module
 */

import { createHash, createHmac, randomBytes } from "node:crypto";

const SIGNATURE = [0x4e, 0x54, 0x4c, 0x4d, 0x53, 0x53, 0x50, 0x00]; // "NTLMSSP\0"
const NEGOTIATE_UNICODE = 0x00000001;
const REQUEST_TARGET = 0x00000004;
const NEGOTIATE_NTLM = 0x00000200;
const ALWAYS_SIGN = 0x00008000;
const EXTENDED_SESSION_SECURITY = 0x00080000;
const NEGOTIATE_TARGET_INFO = 0x00800000;
const FLAGS = NEGOTIATE_UNICODE | REQUEST_TARGET | NEGOTIATE_NTLM | ALWAYS_SIGN |
  EXTENDED_SESSION_SECURITY | NEGOTIATE_TARGET_INFO;
/** MsvAvTimestamp: the server's FILETIME, used instead of the client's clock. */
const AV_TIMESTAMP = 7;

/** The parts of a CHALLENGE message the answer needs. */
export interface NtlmChallenge {
  readonly flags: number;
  readonly serverChallenge: Uint8Array;
  readonly targetInfo: Uint8Array;
}

/**
 * The base64 NEGOTIATE message (type 1).
 *
 * @example Usage
 * ```ts
 * import { ntlmNegotiate } from "./auth_ntlm.ts";
 * console.assert(ntlmNegotiate().startsWith("TlRMTVNTUAAB"));
 * ```
 */
export function ntlmNegotiate(): string {
  const message = new Uint8Array(32);
  const view = new DataView(message.buffer);
  message.set(SIGNATURE);
  view.setUint32(8, 1, true);
  view.setUint32(12, FLAGS, true);
  // Empty domain and workstation buffers: length 0, offset 32.
  view.setUint32(20, 32, true);
  view.setUint32(28, 32, true);
  return toBase64(message);
}

/** Parses a base64 CHALLENGE message (type 2); `null` when it is not one. */
export function parseNtlmChallenge(token: string): NtlmChallenge | null {
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(token), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  if (bytes.length < 32 || SIGNATURE.some((b, i) => bytes[i] !== b)) return null;
  const view = new DataView(bytes.buffer);
  if (view.getUint32(8, true) !== 2) return null;
  const flags = view.getUint32(20, true);
  const serverChallenge = bytes.slice(24, 32);
  let targetInfo = new Uint8Array();
  if (bytes.length >= 48) {
    const length = view.getUint16(40, true);
    const offset = view.getUint32(44, true);
    if (offset + length <= bytes.length) targetInfo = bytes.slice(offset, offset + length);
  }
  return { flags, serverChallenge, targetInfo };
}

/** NTOWFv2 (MS-NLMP §3.3.2): HMAC-MD5 keyed with MD4(password) over USER+domain. */
export function ntowfv2(username: string, password: string, domain: string): Uint8Array {
  const ntHash = createHash("md4").update(utf16le(password)).digest();
  return new Uint8Array(
    createHmac("md5", ntHash).update(utf16le(username.toUpperCase() + domain)).digest(),
  );
}

/** What the AUTHENTICATE message is built from. */
export interface NtlmCredentials {
  readonly username: string;
  readonly password: string;
  readonly domain: string;
  readonly workstation: string;
}

/** The NTLMv2 and LMv2 responses (MS-NLMP §3.3.2), exposed for the published test vectors. */
export function ntlmv2Responses(
  key: Uint8Array,
  challenge: NtlmChallenge,
  clientChallenge: Uint8Array,
  timestamp: Uint8Array,
): { nt: Uint8Array; lm: Uint8Array } {
  const temp = concat(
    [1, 1, 0, 0, 0, 0, 0, 0],
    timestamp,
    clientChallenge,
    [0, 0, 0, 0],
    challenge.targetInfo,
    [0, 0, 0, 0],
  );
  const proof = hmac(key, concat(challenge.serverChallenge, temp));
  const lm = concat(hmac(key, concat(challenge.serverChallenge, clientChallenge)), clientChallenge);
  return { nt: concat(proof, temp), lm };
}

/**
 * The base64 AUTHENTICATE message (type 3) answering `challenge`.
 * `clientChallenge` and `timestamp` are random and now unless given (tests).
 */
export function ntlmAuthenticate(
  credentials: NtlmCredentials,
  challenge: NtlmChallenge,
  clientChallenge: Uint8Array = new Uint8Array(randomBytes(8)),
  timestamp: Uint8Array = serverTimestamp(challenge.targetInfo) ?? fileTime(Date.now()),
): string {
  const key = ntowfv2(credentials.username, credentials.password, credentials.domain);
  const { nt, lm } = ntlmv2Responses(key, challenge, clientChallenge, timestamp);
  const fields = [
    lm,
    nt,
    utf16le(credentials.domain),
    utf16le(credentials.username),
    utf16le(credentials.workstation),
    new Uint8Array(), // no session key
  ];
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  header.set(SIGNATURE);
  view.setUint32(8, 3, true);
  let offset = header.length;
  fields.forEach((field, i) => {
    view.setUint16(12 + i * 8, field.length, true);
    view.setUint16(14 + i * 8, field.length, true);
    view.setUint32(16 + i * 8, offset, true);
    offset += field.length;
  });
  view.setUint32(60, (challenge.flags & FLAGS) | NEGOTIATE_UNICODE | NEGOTIATE_NTLM, true);
  return toBase64(concat(header, ...fields));
}

/** Splits `DOMAIN\user` (or `user@domain`) into its parts. */
export function splitNtlmUser(username: string): { username: string; domain: string } {
  const slash = username.indexOf("\\");
  if (slash >= 0) return { domain: username.slice(0, slash), username: username.slice(slash + 1) };
  return { domain: "", username };
}

function serverTimestamp(targetInfo: Uint8Array): Uint8Array | null {
  const view = new DataView(targetInfo.buffer, targetInfo.byteOffset, targetInfo.byteLength);
  for (let at = 0; at + 4 <= targetInfo.length;) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === 0) break;
    if (id === AV_TIMESTAMP && length === 8) return targetInfo.slice(at + 4, at + 12);
    at += 4 + length;
  }
  return null;
}

/** Milliseconds since 1970 as a little-endian FILETIME (100 ns since 1601). */
function fileTime(ms: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, (BigInt(ms) + 11_644_473_600_000n) * 10_000n, true);
  return bytes;
}

function hmac(key: Uint8Array, data: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("md5", key).update(data).digest());
}

function utf16le(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    bytes[2 * i] = text.charCodeAt(i) & 0xff;
    bytes[2 * i + 1] = text.charCodeAt(i) >> 8;
  }
  return bytes;
}

function concat(...parts: ArrayLike<number>[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
