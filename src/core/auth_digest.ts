/**
 * HTTP Digest authentication (RFC 7616): the `Authorization` answer to a
 * `Digest` challenge, for MD5, SHA-256 and SHA-512-256 (and their `-sess`
 * forms, and the SHA-512 some servers offer), with `qop` `auth` or
 * `auth-int`, or the RFC 2069 form without `qop`. Hashes come from
 * `node:crypto`.
 *
 * @module
 */

import { createHash, randomBytes } from "node:crypto";
import type { Challenge } from "./auth_challenge.ts";

const HASHES: Record<string, string> = {
  "md5": "md5",
  "sha-256": "sha256",
  "sha-512-256": "sha512-256",
  "sha-512": "sha512",
};

/** Strongest first: the algorithm chosen among several Digest challenges. */
const STRENGTH = ["sha-512-256", "sha-512", "sha-256", "md5"];

/** What the answer is computed over. */
export interface DigestInput {
  readonly username: string;
  readonly password: string;
  readonly method: string;
  /** The request target: path and query. */
  readonly uri: string;
  /** The body, for `qop=auth-int`; `null` for none. */
  readonly body: Uint8Array | null;
  /** The nonce count, from 1. */
  readonly nc: number;
  /** The client nonce; random when absent. */
  readonly cnonce?: string;
}

/** The algorithm name (lower-case, without `-sess`) of a challenge, if this module supports it. */
function baseAlgorithm(challenge: Challenge): string | null {
  const name = (challenge.params.get("algorithm") ?? "MD5").toLowerCase().replace(/-sess$/, "");
  return name in HASHES ? name : null;
}

/**
 * The Digest challenge to answer among `challenges`: the strongest
 * supported algorithm, or `null` when none is usable.
 */
export function pickDigest(challenges: readonly Challenge[]): Challenge | null {
  let best: Challenge | null = null;
  for (const challenge of challenges) {
    if (challenge.scheme !== "digest" || !challenge.params.has("nonce")) continue;
    const algorithm = baseAlgorithm(challenge);
    if (algorithm === null) continue;
    if (!best || STRENGTH.indexOf(algorithm) < STRENGTH.indexOf(baseAlgorithm(best)!)) {
      best = challenge;
    }
  }
  return best;
}

/** Whether answering `challenge` needs the request body (`qop=auth-int` only). */
export function needsBody(challenge: Challenge): boolean {
  return chooseQop(challenge) === "auth-int";
}

function chooseQop(challenge: Challenge): "auth" | "auth-int" | null {
  const offered = challenge.params.get("qop");
  if (offered === undefined) return null;
  const list = offered.split(",").map((q) => q.trim().toLowerCase());
  return list.includes("auth") ? "auth" : list.includes("auth-int") ? "auth-int" : "auth";
}

/**
 * The `Authorization` value answering `challenge`.
 *
 * @example Usage
 * ```ts
 * import { parseChallenges } from "./auth_challenge.ts";
 * import { digestAuthorization } from "./auth_digest.ts";
 * const [challenge] = parseChallenges('Digest realm="r", qop="auth", nonce="n", opaque="o"');
 * const value = digestAuthorization(challenge!, {
 *   username: "u", password: "p", method: "GET", uri: "/", body: null, nc: 1, cnonce: "c",
 * });
 * console.assert(value.startsWith('Digest username="u"'));
 * ```
 */
export function digestAuthorization(challenge: Challenge, input: DigestInput): string {
  const params = challenge.params;
  const algorithmName = params.get("algorithm") ?? "MD5";
  const algorithm = baseAlgorithm(challenge)!;
  const session = /-sess$/i.test(algorithmName);
  const hash = (text: string | Uint8Array) =>
    createHash(HASHES[algorithm]!).update(text).digest("hex");
  const realm = params.get("realm") ?? "";
  const nonce = params.get("nonce") ?? "";
  const qop = chooseQop(challenge);
  const cnonce = input.cnonce ?? randomBytes(16).toString("hex");
  const nc = input.nc.toString(16).padStart(8, "0");

  let ha1 = hash(`${input.username}:${realm}:${input.password}`);
  if (session) ha1 = hash(`${ha1}:${nonce}:${cnonce}`);
  const ha2 = qop === "auth-int"
    ? hash(`${input.method}:${input.uri}:${hash(input.body ?? new Uint8Array())}`)
    : hash(`${input.method}:${input.uri}`);
  const response = qop === null
    ? hash(`${ha1}:${nonce}:${ha2}`)
    : hash(`${ha1}:${nonce}:${nc}:${cnonce}:${qop}:${ha2}`);

  const userhash = params.get("userhash")?.toLowerCase() === "true";
  const parts = [
    `username="${quote(userhash ? hash(`${input.username}:${realm}`) : input.username)}"`,
    `realm="${quote(realm)}"`,
    `nonce="${quote(nonce)}"`,
    `uri="${quote(input.uri)}"`,
    `algorithm=${algorithmName}`,
    `response="${response}"`,
  ];
  if (params.has("opaque")) parts.push(`opaque="${quote(params.get("opaque")!)}"`);
  if (qop !== null) parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`);
  if (userhash) parts.push("userhash=true");
  return `Digest ${parts.join(", ")}`;
}

function quote(text: string): string {
  return text.replace(/["\\]/g, "\\$&");
}
