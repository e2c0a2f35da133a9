/**
 * The core request for one `send()`: the method and URL given to `open()`,
 * the headers set, the client's settings and the body, each checked in a
 * fixed order so that the first problem is the one `onerror` reports. It
 * reads the settings and changes nothing: the run owns what it returns.
 *
 * @module
 */

import { basicAuthorization } from "../core/auth.ts";
import { NetError } from "../core/errors.ts";
import type { CoreRequest } from "../core/request.ts";
import { readRetrySetting } from "../core/retry.ts";
import { sharedCookieStore } from "./cookies.ts";
import type { RequestHeaders } from "./request_headers.ts";
import { buildSendBody } from "./send_body.ts";
import {
  readCredential,
  readFile,
  readMaxResponseSize,
  readMethod,
  readTimeout,
  readTlsControl,
  readUrl,
  securityManagerRefusal,
  tlsRefusal,
  tlsTransport,
} from "./settings.ts";

/** Redirects followed when `autoRedirect` is on (the Fetch standard's limit). */
export const MAX_REDIRECTS = 20;

/** The client settings a send reads (an `HTTPClient` is one). */
export interface SendSettings {
  readonly timeout: unknown;
  readonly autoRedirect: unknown;
  readonly autoEncodeUrl: unknown;
  readonly validatesSecureCertificate: unknown;
  readonly tlsVersion: unknown;
  readonly username: unknown;
  readonly password: unknown;
  readonly domain: unknown;
  readonly securityManager: unknown;
  readonly maxResponseSize: unknown;
  readonly file: unknown;
  readonly cache: unknown;
  readonly retry?: unknown;
}

/** What one `send()` adds to the settings. */
export interface SendInput {
  /** The method given to `open()`, not yet checked. */
  readonly method: string;
  /** The URL given to `open()`, not yet parsed. */
  readonly url: string;
  readonly headers: RequestHeaders;
  readonly data: unknown;
  /** Someone wants each chunk (`ondatastream`): stream the body even when not downloading. */
  readonly streams: boolean;
  readonly signal: AbortSignal;
}

/** The core request, the `file` to download to (`null` for none) and the body size limit. */
export interface PreparedRequest {
  readonly request: CoreRequest;
  readonly target: string | URL | null;
  /** The most body bytes accepted (after decoding); `Infinity` for no limit. */
  readonly maxResponseSize: number;
}

/**
 * Builds the core request of one send; throws the `NetError` that
 * `onerror` reports.
 */
export async function prepareRequest(
  settings: SendSettings,
  input: SendInput,
): Promise<PreparedRequest> {
  const method = readMethod(input.method);
  if (input.headers.refused) throw input.headers.refused;
  const timeout = readTimeout(settings.timeout);
  const target = readFile(settings.file);
  const maxResponseSize = readMaxResponseSize(settings.maxResponseSize, target !== null);
  const tls = readTlsControl(settings.validatesSecureCertificate, settings.tlsVersion);
  const refusal = tlsRefusal(settings.validatesSecureCertificate, settings.tlsVersion);
  const { url, username, password } = readUrl(input.url, settings.autoEncodeUrl !== false);
  if (refusal && url.protocol === "https:") throw new NetError("TLS_HANDSHAKE", refusal);
  const managerRefusal = securityManagerRefusal(settings.securityManager, url);
  if (managerRefusal) throw new NetError("TLS_HANDSHAKE", managerRefusal);

  const headers = input.headers.toHeaders();
  let user = readCredential("username", settings.username) ?? username;
  const domain = readCredential("domain", settings.domain);
  if (user && domain) user = `${domain}\\${user}`; // as Android sends an NTLM-style user
  if (user && !headers.has("authorization")) {
    const pass = readCredential("password", settings.password) ?? password ?? "";
    headers.set("authorization", basicAuthorization(user, pass));
  }
  const { body, contentType, replacesCallerType } = await buildSendBody(
    method,
    url,
    input.data,
    headers.get("content-type"),
  );
  if (contentType && (replacesCallerType || !headers.has("content-type"))) {
    headers.set("content-type", contentType);
  }
  const request: CoreRequest = {
    url,
    method,
    headers,
    body,
    // Titanium's timeout is an idle limit: it restarts on every sign of progress.
    totalTimeout: 0,
    connectTimeout: 0,
    idleTimeout: timeout,
    // Buffered bodies stop at the limit in the core; streamed ones in the run, chunk by chunk.
    maxBodySize: Number.isFinite(maxResponseSize) ? maxResponseSize : Number.MAX_SAFE_INTEGER,
    protocol: "auto",
    maxRedirects: settings.autoRedirect === false ? 0 : MAX_REDIRECTS,
    bodyMode: input.streams || target !== null ? "stream" : "buffer",
    priority: 1, // Titanium has no priorities: the scheduler's lowest, as OpenHarmony's default
    // `cache: true` uses the KV response cache once http.createHttpResponseCache() opened it.
    cache: settings.cache === true ? "default" : "no-store",
    cookies: sharedCookieStore,
    startTime: performance.now(),
    signal: input.signal,
    // TLS control goes with the request only where a transport honours it; otherwise an https
    // URL was refused above, and the run refuses a redirect to https.
    ...(tls && !refusal ? { transport: tlsTransport(tls) } : {}),
  };
  const retry = readRetrySetting(settings.retry, "retry");
  return { request: retry ? { ...request, retry } : request, target, maxResponseSize };
}
