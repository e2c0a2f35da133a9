/**
 * Stable error codes of the core, in one place, and the one error type.
 *
 * Every failure the core reports is a {@linkcode NetError}: a stable `code`
 * (one of {@linkcode ErrorCode}, each with its libcurl error number), its
 * structured {@linkcode NetErrorDetails} (which limit, which option, which
 * phase of the exchange) and the underlying `cause`. Faces and the CLI derive
 * their own numbers and texts from these fields, never from the message.
 *
 * @module
 */

import { humanDetail } from "./error_text.ts";
import { redactCause, redactCredentials, redactText } from "./redact.ts";
import type { TransportKind } from "./transport.ts";

/** Each stable code with its libcurl number and standard message. */
export const ERROR_TABLE = {
  INVALID_ARGUMENT: { curl: -1, message: "Parameter error" },
  PERMISSION_DENIED: { curl: -2, message: "Permission denied" },
  UNSUPPORTED_PROTOCOL: { curl: 1, message: "Unsupported protocol" },
  BAD_URL: { curl: 3, message: "Invalid URL format or missing URL" },
  PROXY_UNRESOLVED: { curl: 5, message: "Failed to resolve the proxy name" },
  HOST_UNRESOLVED: { curl: 6, message: "Failed to resolve the host name" },
  CONNECT_FAILED: { curl: 7, message: "Failed to connect to the server" },
  BAD_RESPONSE: { curl: 8, message: "Invalid server response" },
  HTTP2_FRAMING: { curl: 16, message: "Error in the HTTP2 framing layer" },
  PARTIAL_BODY: { curl: 18, message: "Transferred a partial file" },
  WRITE_FAILED: {
    curl: 23,
    message: "Failed to write the received data to the disk or application",
  },
  READ_FILE_FAILED: {
    curl: 26,
    message: "Failed to open or read local data from the file or application",
  },
  TIMEOUT: { curl: 28, message: "Operation timeout" },
  TOO_MANY_REDIRECTS: {
    curl: 47,
    message: "The number of redirections reaches the maximum allowed",
  },
  EMPTY_REPLY: { curl: 52, message: "The server returned nothing (no header or data)" },
  RECEIVE_FAILED: { curl: 56, message: "Failed to receive data from the peer" },
  TLS_CLIENT_CERT: { curl: 58, message: "Local SSL certificate error" },
  TLS_HANDSHAKE: { curl: 35, message: "SSL connect error" },
  TLS_CIPHER: { curl: 59, message: "Couldn't use specified SSL cipher" },
  TLS_PEER: { curl: 60, message: "Invalid SSL peer certificate or SSH remote key" },
  TLS_PIN: { curl: 90, message: "SSL public key does not match pinned public key" },
  BAD_ENCODING: { curl: 61, message: "Invalid HTTP encoding format" },
  TLS_CA_FILE: {
    curl: 77,
    message: "The SSL CA certificate does not exist or is inaccessible",
  },
  NOT_SUPPORTED: {
    curl: 4,
    message: "A requested feature or option is not supported by the transport",
  },
  DESTROYED: { curl: 23, message: "The request was destroyed" },
  ABORTED: { curl: 42, message: "The request was aborted" },
  INTERNAL: { curl: 999, message: "Internal error" },
} as const satisfies Record<string, { curl: number; message: string }>;

/** A stable error code of the core. */
export type ErrorCode = keyof typeof ERROR_TABLE;

/** Where in one exchange a failure happened. */
export type ErrorPhase = "connect" | "tls" | "send" | "headers" | "body";

/** A limit of the request that was exceeded. */
export type LimitKind =
  | "body-size"
  | "total-time"
  | "connect-time"
  | "idle-time"
  | "redirects";

/**
 * What a face needs to word a failure its own way; every field is optional
 * and only set where the core knows it.
 */
export interface NetErrorDetails {
  /** The limit that was exceeded. */
  readonly limit?: LimitKind;
  /** The value of that limit (bytes, ms or redirects). */
  readonly max?: number;
  /** How much there was: body bytes received or declared, redirects seen. */
  readonly actual?: number;
  /** The option or argument at fault, as the caller named it (a request field or face option). */
  readonly field?: string;
  /** Where in the exchange it happened. */
  readonly phase?: ErrorPhase;
  /** The transport that carried (or refused) the request. */
  readonly transport?: TransportKind;
}

/** The cause of a {@linkcode NetError} and its details. */
export interface NetErrorOptions extends ErrorOptions {
  readonly details?: NetErrorDetails;
}

const NO_DETAILS: NetErrorDetails = Object.freeze({});

/**
 * The one error type the core rejects with.
 *
 * @example Usage
 * ```ts
 * import { NetError } from "./errors.ts";
 * const error = new NetError("WRITE_FAILED", "the body is too large", {
 *   details: { limit: "body-size", max: 1024, actual: 4096, phase: "body" },
 * });
 * console.assert(error.details.limit === "body-size");
 * ```
 */
export class NetError extends Error {
  /** The stable code. */
  readonly code: ErrorCode;
  /** Which limit, option and phase the failure concerns, as far as the core knows. */
  readonly details: NetErrorDetails;

  /**
   * @param code the stable code
   * @param detail what happened, appended to the standard message
   * @param options the underlying cause and the structured details, if any
   */
  constructor(code: ErrorCode, detail?: string, options?: NetErrorOptions) {
    const base = ERROR_TABLE[code].message;
    // No credential reaches a message or a cause, whoever wrote the detail.
    super(
      detail ? `${base}: ${redactText(detail)}` : base,
      options && "cause" in options ? { cause: redactCause(options.cause) } : options,
    );
    this.name = "NetError";
    this.code = code;
    this.details = options?.details ?? NO_DETAILS;
  }
}

/** Throws an {@linkcode NetError} with code `INVALID_ARGUMENT` naming `field`. */
export function invalidArgument(field: string, expected: string, got: unknown): never {
  // The value of a secret field is never echoed, only its type.
  const shown = SECRET_FIELD.test(field) ? `a value of type ${typeof got}` : describe(got);
  throw new NetError("INVALID_ARGUMENT", `'${field}' ${expected}, got ${shown}`, {
    details: { field },
  });
}

/** A request needs `field`, which the chosen transport cannot honour: refused, never sent without it. */
export function notSupported(field: string, transport: TransportKind, why: string): NetError {
  return new NetError("NOT_SUPPORTED", `'${field}' ${why}`, { details: { field, transport } });
}

const SECRET_FIELD = /password|authorization|cookie|secret|token/i;

function describe(value: unknown): string {
  if (typeof value === "string") {
    const text = redactCredentials(value);
    return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "…" : text);
  }
  if (value === null || typeof value !== "object") return String(value);
  return Array.isArray(value) ? "an array" : `an object`;
}

/** Where in the exchange a fetch failure happened: it decides the code. */
export type FailurePhase = "connect" | "body";

/**
 * Classifies anything thrown by `fetch`, a body read or our own code into a
 * {@linkcode NetError}. Deno ≥ 2.9.2 puts the detail in `cause.message` under a
 * `"fetch failed"` TypeError; older versions put it in `message`: both are read.
 */
export function classifyError(error: unknown, phase: FailurePhase, bodyShort = false): NetError {
  if (error instanceof NetError) return error;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new NetError("PERMISSION_DENIED", (error as Error).message, { cause: error });
  }
  const text = errorText(error);
  const code = codeFromText(text, phase, bodyShort);
  // The message stays short; the whole chain is in `cause`.
  return new NetError(code, humanDetail(text), {
    cause: error,
    details: { phase: phaseOf(code, phase) },
  });
}

/** The phase a classified failure belongs to: before the head, the code tells it. */
function phaseOf(code: ErrorCode, phase: FailurePhase): ErrorPhase {
  if (phase === "body") return "body";
  if (code.startsWith("TLS_")) return "tls";
  if (code === "BAD_RESPONSE" || code === "EMPTY_REPLY" || code === "HTTP2_FRAMING") {
    return "headers";
  }
  return "connect";
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause.message : "";
  return cause ? `${error.message} (${cause})` : error.message;
}

const TEXT_RULES: ReadonlyArray<[RegExp, ErrorCode]> = [
  [
    /dns error|failed to lookup address|Name or service not known|No address associated/i,
    "HOST_UNRESOLVED",
  ],
  [
    /invalid peer certificate|UnknownIssuer|certificate (?:verify|expired|not valid)|NotValidForName|BadSignature/i,
    "TLS_PEER",
  ],
  [/Url scheme '.*' not supported|scheme .* not supported/i, "UNSUPPORTED_PROTOCOL"],
  [/Maximum number of redirects/i, "TOO_MANY_REDIRECTS"],
  [/connection closed before message completed/i, "EMPTY_REPLY"],
  [
    /Connection refused|tcp connect error|Requests to port \d+ are blocked|Network is unreachable|No route to host/i,
    "CONNECT_FAILED",
  ],
  [
    /invalid HTTP|Invalid (?:status|header)|parse error|invalid (?:status|header)|invalid (?:content-length|transfer-encoding) parsed|unexpected transfer-encoding|message head is too large/i,
    "BAD_RESPONSE",
  ],
  // Deno decodes gzip and br itself; a body it cannot decode is curl's 61.
  [
    /Invalid gzip header|brotli error|corrupt deflate stream|deflate decompression error/i,
    "BAD_ENCODING",
  ],
  [/h2 protocol error|http2 error|GOAWAY|PROTOCOL_ERROR/i, "HTTP2_FRAMING"],
  [
    /received corrupt message|tls handshake|HandshakeFailure|peer is incompatible/i,
    "TLS_HANDSHAKE",
  ],
  [/Connection reset/i, "RECEIVE_FAILED"],
];

function codeFromText(text: string, phase: FailurePhase, bodyShort: boolean): ErrorCode {
  for (const [pattern, code] of TEXT_RULES) if (pattern.test(text)) return code;
  if (phase === "body") return bodyShort ? "PARTIAL_BODY" : "RECEIVE_FAILED";
  return "INTERNAL";
}
