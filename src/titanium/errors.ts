/**
 * Core errors as Titanium reports them in `onerror`: a numeric `code` and an
 * `error` text. Transport failures use the `NSURLError` numbers iOS reports
 * (and that Android uses for timeouts since SDK 12.7: -1001); a response with
 * status 400 or more uses the status itself ({@linkcode statusFailure}).
 *
 * @module
 */

import { type ErrorCode, NetError } from "../core/errors.ts";

/**
 * The `onerror` code of each core error code. Exhaustive: a new core code
 * does not compile until it has a Titanium number here.
 */
export const TITANIUM_ERROR_CODES = {
  /** A setting or argument that cannot be sent (bad header, bad `timeout`…). */
  INVALID_ARGUMENT: -1,
  /** Deno's `--allow-net` / `--allow-write` refused. */
  PERMISSION_DENIED: -1,
  /** `NSURLErrorUnsupportedURL` */
  UNSUPPORTED_PROTOCOL: -1002,
  /** `NSURLErrorBadURL` */
  BAD_URL: -1000,
  /** `NSURLErrorCannotFindHost` */
  PROXY_UNRESOLVED: -1003,
  /** `NSURLErrorCannotFindHost` */
  HOST_UNRESOLVED: -1003,
  /** `NSURLErrorCannotConnectToHost` */
  CONNECT_FAILED: -1004,
  /** `NSURLErrorBadServerResponse` */
  BAD_RESPONSE: -1011,
  /** `NSURLErrorBadServerResponse` */
  HTTP2_FRAMING: -1011,
  /** `NSURLErrorNetworkConnectionLost` */
  PARTIAL_BODY: -1005,
  /** `NSURLErrorCannotWriteToFile` (the `file` download) */
  WRITE_FAILED: -3003,
  /** `NSURLErrorFileDoesNotExist` */
  READ_FILE_FAILED: -1100,
  /** `NSURLErrorTimedOut` */
  TIMEOUT: -1001,
  /** `NSURLErrorHTTPTooManyRedirects` */
  TOO_MANY_REDIRECTS: -1007,
  /** `NSURLErrorNetworkConnectionLost` */
  EMPTY_REPLY: -1005,
  /** `NSURLErrorNetworkConnectionLost` */
  RECEIVE_FAILED: -1005,
  /** `NSURLErrorClientCertificateRejected` */
  TLS_CLIENT_CERT: -1205,
  /** `NSURLErrorSecureConnectionFailed` */
  TLS_HANDSHAKE: -1200,
  /** `NSURLErrorSecureConnectionFailed` */
  TLS_CIPHER: -1200,
  /** `NSURLErrorServerCertificateUntrusted` */
  TLS_PEER: -1202,
  /** `NSURLErrorServerCertificateUntrusted`: the key matches no pin */
  TLS_PIN: -1202,
  /** `NSURLErrorCannotDecodeContentData` */
  BAD_ENCODING: -1016,
  /** `NSURLErrorServerCertificateHasUnknownRoot` */
  TLS_CA_FILE: -1203,
  /** `NSURLErrorUnsupportedURL`: the request needs what no transport here can do */
  NOT_SUPPORTED: -1002,
  /** `NSURLErrorCancelled` */
  DESTROYED: -999,
  /** `NSURLErrorCancelled` */
  ABORTED: -999,
  /** Titanium's `ERROR_CODE_UNKNOWN` */
  INTERNAL: -1,
} as const satisfies Record<ErrorCode, number>;

/** What `onerror` reports for a failure that is not an HTTP status. */
export interface Failure {
  readonly code: number;
  readonly error: string;
}

/** Turns anything the pipeline or the face threw into an `onerror` code and text. */
export function toFailure(error: unknown): Failure {
  const net = error instanceof NetError
    ? error
    : new NetError("INTERNAL", error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  return { code: TITANIUM_ERROR_CODES[net.code], error: net.message };
}

/** What `onerror` reports for a response with status 400 or more: the status, e.g. `"404 : Not Found"`. */
export function statusFailure(status: number, statusText: string | null): Failure {
  return { code: status, error: `${status} : ${statusText ?? ""}`.trimEnd() };
}

/**
 * What `onerror` reports when the body outgrows `maxResponseSize`: -1103,
 * iOS's `NSURLErrorDataLengthExceedsMaximum`.
 */
export function sizeLimitFailure(limit: number): Failure {
  return {
    code: -1103,
    error: `the response body is larger than maxResponseSize (${limit} bytes)`,
  };
}
