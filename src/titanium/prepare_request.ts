/**
 * The core request for one `send()`: the method and URL given to `open()`,
 * the headers set, the client's settings and the body, each checked in a
 * fixed order so that the first problem is the one `onerror` reports.
 *
 * @module
 */

import { basicAuthorization } from "../core/auth.ts";
import { NetError } from "../core/errors.ts";
import type { CoreRequest } from "../core/request.ts";
import { sharedCookieStore } from "./cookies.ts";
import { buildSendBody } from "./send_body.ts";
import type { SendRun } from "./send_run.ts";
import {
  readCredential,
  readFile,
  readMethod,
  readTimeout,
  readUrl,
  tlsRefusal,
} from "./settings.ts";

/** Redirects followed when `autoRedirect` is on (the Fetch standard's limit). */
export const MAX_REDIRECTS = 20;

/**
 * Builds `run`'s core request; throws the `NetError` that `onerror`
 * reports. Sets `run.target` (the `file` setting) and, once the URL is
 * parsed, the client's `location`.
 */
export async function prepareRequest(run: SendRun, data: unknown): Promise<CoreRequest> {
  const { client, response } = run.host;
  const method = readMethod(run.method);
  if (run.headers.refused) throw run.headers.refused;
  const timeout = readTimeout(client.timeout);
  run.target = readFile(client.file);
  const refusal = tlsRefusal(client.validatesSecureCertificate, client.tlsVersion);
  const { url, username, password } = readUrl(run.url, client.autoEncodeUrl !== false);
  if (refusal && url.protocol === "https:") throw new NetError("TLS_HANDSHAKE", refusal);

  const headers = run.headers.toHeaders();
  const user = readCredential("username", client.username) ?? username;
  if (user && !headers.has("authorization")) {
    const pass = readCredential("password", client.password) ?? password ?? "";
    headers.set("authorization", basicAuthorization(user, pass));
  }
  const { body, contentType, replacesCallerType } = await buildSendBody(
    method,
    url,
    data,
    headers.get("content-type"),
  );
  if (contentType && (replacesCallerType || !headers.has("content-type"))) {
    headers.set("content-type", contentType);
  }
  response.location = url.href;
  return {
    url,
    method,
    headers,
    body,
    // Titanium's timeout is an idle limit: it restarts on every sign of progress.
    totalTimeout: 0,
    connectTimeout: 0,
    idleTimeout: timeout,
    maxBodySize: Number.MAX_SAFE_INTEGER,
    protocol: "auto",
    maxRedirects: client.autoRedirect === false ? 0 : MAX_REDIRECTS,
    bodyMode: run.streamsBody ? "stream" : "buffer",
    priority: 1, // Titanium has no priorities: the scheduler's lowest, as OpenHarmony's default
    // `cache: true` uses the KV response cache once http.createHttpResponseCache() opened it.
    cache: client.cache === true ? "default" : "no-store",
    cookies: sharedCookieStore,
    startTime: performance.now(),
    signal: run.controller.signal,
  };
}
