/**
 * Which requests may share a stored response: its **scope**, part of every
 * entry's key.
 *
 * This cache is a *private* cache in RFC 9111's terms (it may store
 * responses marked `private`), but one store can be shared by several
 * programs, users and machines. So it acts as one private cache per set of
 * credentials: a response is only ever served to a request with the same
 * credentials — the same `Authorization`, `Proxy-Authorization` and
 * `Cookie` headers, the same cookies from the cookie jar, the same server
 * authentication (user and password the auth layer below answers 401s
 * with) and the same client certificate — and a request with other credentials, or none, never
 * sees it (RFC 9111 §3.5, §5.2.2.7).
 *
 * The scope also holds what decides which server answers for a URL, so that
 * two requests for the same URL that reach different servers never share an
 * entry: the proxy, the DNS servers or DNS-over-HTTPS endpoint, the trusted
 * CAs (`caPath`, `caData`), TLS pins, verification, versions, ciphers and
 * server name, and the address family.
 *
 * Credentials enter the key only through PBKDF2 (a slow hash), so a store
 * shared with others does not hold a fast hash of anyone's password. A
 * request with none of these settings has the empty scope at no cost.
 *
 * @module
 */

import type { CoreRequest, TransportOptions } from "../core/request.ts";

const encoder = new TextEncoder();
/** PBKDF2 rounds for credentials (each distinct set is derived once per process). */
const ROUNDS = 20_000;
const SALT = encoder.encode("netstack-http cache scope v1");
const CREDENTIAL_HEADERS = ["authorization", "proxy-authorization", "cookie"] as const;
/** Derived scopes kept per process. */
const MEMO_MAX = 256;

const memo = new Map<string, string>();
const verifierIds = new WeakMap<object, string>();

/**
 * The scope of a request: `""` without credentials or route settings; at
 * once when it is known (no jar lookup pending, derived before).
 */
export function scopeOf(request: CoreRequest): string | Promise<string> {
  const credentials: unknown[] = [];
  for (const name of CREDENTIAL_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) credentials.push([name, value]);
  }
  const jar = request.cookies?.cookieHeader(request.url) ?? "";
  if (typeof jar !== "string") {
    return jar.then((header) => scopeWith(request, credentials, header));
  }
  return scopeWith(request, credentials, jar);
}

function scopeWith(
  request: CoreRequest,
  credentials: unknown[],
  jar: string,
): string | Promise<string> {
  if (jar) credentials.push(["jar", jar]);
  const auth = request.authentication;
  if (auth) credentials.push(["auth", auth.username, auth.password, auth.scheme, auth.origin]);
  const cert = request.transport?.clientCert;
  if (cert) credentials.push(["cert", cert.certPath, cert.certType, cert.keyPath]);
  const route = request.transport ? routeOf(request.transport) : null;
  if (credentials.length === 0 && route === null) return "";

  const text = JSON.stringify([route, credentials]);
  return memo.get(text) ?? derive(text, route, credentials);
}

/** Hashes route and credentials once per process. */
async function derive(text: string, route: unknown[] | null, credentials: unknown[]) {
  const routePart = route === null ? "" : await sha256(JSON.stringify(route));
  const credentialPart = credentials.length === 0
    ? ""
    : await slowHash(JSON.stringify(credentials));
  const scope = `${routePart}.${credentialPart}`;
  if (memo.size >= MEMO_MAX) memo.clear();
  memo.set(text, scope);
  return scope;
}

/** What changes the server reached for a URL; `null` for Deno's defaults. */
function routeOf(transport: TransportOptions): unknown[] | null {
  const route: unknown[] = [];
  const { proxy, dns, tls } = transport;
  if (proxy !== "environment") {
    route.push([
      "proxy",
      typeof proxy === "string" ? proxy : [
        proxy.url.href,
        [...proxy.exclusionList],
        proxy.credentials?.username ?? null,
      ],
    ]);
  }
  if (dns) route.push(["dns", "dohUrl" in dns ? dns.dohUrl.href : dns.servers]);
  if (transport.caPath) route.push(["caPath", transport.caPath]);
  if (transport.caData) route.push(["caData", transport.caData]);
  if (tls) {
    const verify = typeof tls.verify === "function" ? verifierId(tls.verify) : tls.verify;
    route.push(["tls", { ...tls, verify }]);
  }
  if (transport.addressFamily) route.push(["family", transport.addressFamily]);
  return route.length === 0 ? null : route;
}

/** A verification callback is known only to this process: its entries stay its own. */
function verifierId(verify: object): string {
  let id = verifierIds.get(verify);
  if (id === undefined) {
    id = crypto.randomUUID();
    verifierIds.set(verify, id);
  }
  return id;
}

async function sha256(text: string): Promise<string> {
  return base64url(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

async function slowHash(text: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(text), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: SALT, iterations: ROUNDS },
    key,
    256,
  );
  return base64url(bits);
}

function base64url(buffer: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
