/**
 * Short, human details for the errors Deno's `fetch` throws. Their text is
 * a Rust error chain ("error sending request for url (…): client error
 * (Connect): tcp connect error: Connection refused (os error 111)"); the
 * message keeps its last, most specific link and the host, and the whole
 * chain stays reachable as the error's `cause`.
 *
 * @module
 */

/** What to say for rustls's certificate verdicts, which name a Rust enum variant. */
const CERTIFICATE_VERDICTS: ReadonlyArray<[RegExp, string]> = [
  [
    /CaUsedAsEndEntity/,
    "the server presents a CA certificate (CaUsedAsEndEntity), which Deno's fetch refuses " +
    "even when trusted: make the development certificate with " +
    "`openssl req -x509 -addext basicConstraints=CA:FALSE …` or sign one with that CA (docs/tls.md)",
  ],
  [
    /UnknownIssuer/,
    "the certificate is not signed by a trusted authority (UnknownIssuer); trust its CA",
  ],
  [/NotValidForName/, "the certificate is not valid for this host name (NotValidForName)"],
  [/certificate expired|\bExpired\b/i, "the certificate has expired"],
  [/NotValidYet|certificate not valid yet/i, "the certificate is not valid yet"],
  [/BadSignature/, "the certificate's signature is invalid (BadSignature)"],
];

/**
 * The human part of an error chain: the last link, without `(os error N)`,
 * followed by the host it concerns when the chain names the URL.
 *
 * @example Usage
 * ```ts
 * import { humanDetail } from "./error_text.ts";
 * humanDetail(
 *   "fetch failed (error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111))",
 * ); // "Connection refused (127.0.0.1:9)"
 * ```
 */
export function humanDetail(text: string): string {
  const certificate = /invalid peer certificate: (.*)/i.exec(text)?.[1];
  if (certificate !== undefined) {
    for (const [pattern, said] of CERTIFICATE_VERDICTS) {
      if (pattern.test(certificate)) return withHost(said, text);
    }
    return withHost(certificate.replace(/\)+\s*$/, ""), text);
  }
  // A chain is "a: b: c"; parentheses wrap inner chains. The last link says what happened.
  const links = text.replace(/\s*\(os error \d+\)/g, "").split(/: |\(/);
  let last = "";
  for (let i = links.length - 1; i >= 0 && last === ""; i--) {
    last = links[i]!.replace(/[()]+\s*$/, "").trim();
  }
  if (last === "" || last === text.trim()) return text;
  return withHost(last, text);
}

function withHost(said: string, text: string): string {
  const url = /for url \(([^)\s]+)\)/.exec(text)?.[1];
  if (!url) return said;
  try {
    return `${said} (${new URL(url).host})`;
  } catch {
    return said;
  }
}
