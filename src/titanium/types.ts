/**
 * The shapes Titanium code passes to and receives from `Ti.Network`: the
 * callback payloads and the creation dictionaries.
 *
 * @module
 */

import type { HTTPClient } from "./http_client.ts";

/** What every `HTTPClient` callback payload carries. */
export interface HTTPClientEvent {
  /** The client that fired the callback (also `this` inside it). */
  readonly source: HTTPClient;
}

/** The payload of `onload`: the request completed with a status below 400. */
export interface SuccessResponse extends HTTPClientEvent {
  /** Always `true`. */
  readonly success: true;
  /** Always 0, as on Android and iOS. */
  readonly code: 0;
}

/**
 * The payload of `onerror`. `code` is the HTTP status for a response of 400
 * or more, otherwise a negative transport code (-1001 for a timeout; the
 * README lists them all).
 */
export interface FailureResponse extends HTTPClientEvent {
  /** Always `false`. */
  readonly success: false;
  /** The HTTP status (400 or more), or a negative transport code such as -1001. */
  readonly code: number;
  /** What went wrong, e.g. `"404 : Not Found"` or `"Operation timeout: …"`. */
  readonly error: string;
}

/** The payload of `onreadystatechange`: the state that was entered. */
export interface ReadyStateChangeEvent extends HTTPClientEvent {
  /** `UNSENT` 0 … `DONE` 4; `this.readyState` equals it while the callback runs. */
  readonly readyState: number;
}

/** The payload of `onsendstream`: how much of the request body was sent. */
export interface SendStreamEvent extends HTTPClientEvent {
  /** From above 0 up to 1. */
  readonly progress: number;
}

/** The payload of `ondatastream`: how much of the response body arrived. */
export interface DataStreamEvent extends HTTPClientEvent {
  /**
   * `received / Content-Length` in 0..1, or `Network.PROGRESS_UNKNOWN` (-1)
   * while the length is unknown; always 1 once the body is complete.
   */
  readonly progress: number;
  /** The declared body length, or -1 when unknown (Android's name). */
  readonly totalCount: number;
  /** Bytes received so far (Android's name). */
  readonly totalSize: number;
  /** Bytes in the chunk that fired this event; 0 for the closing event. */
  readonly size: number;
}

/** A callback property of `HTTPClient`: `this` is the client. */
export type HTTPClientCallback<E> = (this: HTTPClient, event: E) => void;

/**
 * What `Network.createHTTPClient(props)` accepts: any settable property and
 * callback of `HTTPClient`, applied as if assigned one by one.
 */
export interface HTTPClientProperties {
  /** See {@linkcode HTTPClient.timeout}. */
  timeout?: number;
  /** See {@linkcode HTTPClient.autoRedirect}. */
  autoRedirect?: boolean;
  /** See {@linkcode HTTPClient.autoEncodeUrl}. */
  autoEncodeUrl?: boolean;
  /** See {@linkcode HTTPClient.validatesSecureCertificate}. */
  validatesSecureCertificate?: boolean;
  /** See {@linkcode HTTPClient.tlsVersion}. */
  tlsVersion?: number;
  /** See {@linkcode HTTPClient.username}. */
  username?: string;
  /** See {@linkcode HTTPClient.password}. */
  password?: string;
  /** See {@linkcode HTTPClient.withCredentials}. */
  withCredentials?: boolean;
  /** See {@linkcode HTTPClient.file}. */
  file?: string | URL;
  /** See {@linkcode HTTPClient.cache}. */
  cache?: boolean;
  /** See {@linkcode HTTPClient.enableKeepAlive}. */
  enableKeepAlive?: boolean;
  /** See {@linkcode HTTPClient.onload}. */
  onload?: HTTPClientCallback<SuccessResponse> | null;
  /** See {@linkcode HTTPClient.onerror}. */
  onerror?: HTTPClientCallback<FailureResponse> | null;
  /** See {@linkcode HTTPClient.onreadystatechange}. */
  onreadystatechange?: HTTPClientCallback<ReadyStateChangeEvent> | null;
  /** See {@linkcode HTTPClient.ondatastream}. */
  ondatastream?: HTTPClientCallback<DataStreamEvent> | null;
  /** See {@linkcode HTTPClient.onsendstream}. */
  onsendstream?: HTTPClientCallback<SendStreamEvent> | null;
}

/** What `Network.createCookie(props)` accepts: the properties of a `Cookie`. */
export interface CookieProperties {
  /** The cookie name. */
  name?: string;
  /** The cookie value. */
  value?: string;
  /** A host (`example.com`: that host only) or `.example.com` (it and its subdomains). */
  domain?: string;
  /** The path it is sent under; `"/"` when not given. */
  path?: string;
  /** Sent over https only. */
  secure?: boolean;
  /** Not readable by scripts (kept and reported; an HTTP client has no scripts). */
  httponly?: boolean;
  /** When it expires; none for a session cookie. */
  expiryDate?: Date | string | null;
  /** Lifetime in seconds; -1 for a session cookie. Wins over `expiryDate`. */
  maxAge?: number;
  /** A comment (RFC 2965), kept as given. */
  comment?: string | null;
  /** The cookie version (RFC 2965), kept as given. */
  version?: number;
}
