/**
 * Core errors as OpenHarmony reports them: `BusinessError` objects with 401,
 * 201 or `2300000 + curl code`, and 2300999 for codes OpenHarmony does not map.
 *
 * @module
 */

import { ERROR_TABLE, NetError } from "../core/errors.ts";
import type { BusinessError } from "./types.ts";

/** The curl codes OpenHarmony maps to `2300000 + code`; the rest become 2300999. */
const MAPPED_CURL_CODES = new Set([
  1,
  3,
  5,
  6,
  7,
  8,
  9,
  16,
  18,
  23,
  25,
  26,
  27,
  28,
  47,
  52,
  55,
  56,
  58,
  59,
  60,
  61,
  63,
  70,
  73,
  77,
  78,
  90,
  94,
]);

/** The numeric code OpenHarmony gives a core error. */
export function ohosCode(error: NetError): number {
  // An option no transport can honour is a parameter the caller gave: 401 naming it.
  if (error.code === "INVALID_ARGUMENT" || error.code === "NOT_SUPPORTED") return 401;
  if (error.code === "PERMISSION_DENIED") return 201;
  // A cancelled request: OpenHarmony's destroy() cancels through libcurl's write error.
  if (error.code === "ABORTED") return 2_300_023;
  const curl = ERROR_TABLE[error.code].curl;
  return MAPPED_CURL_CODES.has(curl) ? 2_300_000 + curl : 2_300_999;
}

/**
 * Wraps anything thrown into a plain `BusinessError` object. Its message is
 * worded from the core error's details where OpenHarmony has its own terms
 * (`maxLimit`); the core error stays reachable as the non-enumerable `cause`.
 */
export function toBusinessError(error: unknown): BusinessError {
  const net = error instanceof NetError
    ? error
    : new NetError("INTERNAL", String(error), { cause: error });
  const business: BusinessError = {
    name: "BusinessError",
    code: ohosCode(net),
    message: ohosMessage(net),
  };
  // Not enumerable, so the object still prints and compares as `{ name, code, message }`.
  return Object.defineProperties(business, {
    cause: { value: net, enumerable: false },
    stack: { value: businessStack(business.message, net), enumerable: false, writable: true },
  });
}

/** A stack for the error: its own first line, then where the core error was raised. */
function businessStack(message: string, net: NetError): string {
  const frames = (net.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line));
  return [`BusinessError: ${message}`, ...frames].join("\n");
}

/** The options of this face behind each transport setting the core names. */
const OPTIONS_OF_FIELD: Record<string, string> = {
  tls: "certificatePinning, remoteValidation, tlsOptions, sniHostName or enablePartialChain",
  proxy: "usingProxy or usingSocks5Proxy",
  dns: "dnsServers or dnsOverHttps",
  protocol: "usingProtocol",
  clientCert: "clientCert",
  caPath: "caPath",
  caData: "caData",
};

/**
 * The message in OpenHarmony's terms: the size limit is the `maxLimit`
 * option, and a setting no transport honours is named by its options.
 */
function ohosMessage(error: NetError): string {
  const { limit, max, actual, phase, field } = error.details;
  if (error.code === "NOT_SUPPORTED" && typeof field === "string" && OPTIONS_OF_FIELD[field]) {
    return `${error.message} (option: ${OPTIONS_OF_FIELD[field]})`;
  }
  if (limit !== "body-size") return error.message;
  const size = phase === "headers" ? `declared as ${actual} bytes` : `${actual} bytes`;
  return `${
    ERROR_TABLE[error.code].message
  }: the body (${size}) is larger than maxLimit, ${max} bytes`;
}
