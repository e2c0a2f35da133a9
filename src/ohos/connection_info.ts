/**
 * `HttpResponse.connectionExtraInfo` from the facts the transport reported
 * (`ConnectionFacts`). Nothing is invented: where the path taken could not
 * observe a field (plain `fetch` sees no socket), addresses are `""`, ports
 * `0`, `isReusedConnection` `false`, `networkProtocolName`
 * `"Unknown/Non-HTTP"`, and `tlsVersion` / `cipherSuite` are absent; see
 * docs/ohos-api.md.
 *
 * @module
 */

import type { CoreResult } from "../core/request.ts";
import { TlsVersion } from "./enums.ts";
import { CIPHER_SUITES } from "./tls_settings.ts";
import type { CipherSuite, ConnectionExtraInfo } from "./types.ts";

const PROTOCOL_NAMES: Record<string, string> = {
  "http/1.0": "HTTP/1.0",
  "http/1.1": "HTTP/1.1",
  "h2": "HTTP/2",
  "h2c": "HTTP/2",
  "h3": "HTTP/3",
};

const TLS_VERSIONS: Record<string, TlsVersion> = {
  "TLSv1": TlsVersion.TLS_V_1_0,
  "TLSv1.1": TlsVersion.TLS_V_1_1,
  "TLSv1.2": TlsVersion.TLS_V_1_2,
  "TLSv1.3": TlsVersion.TLS_V_1_3,
};

/** OpenSSL cipher names back to the declaration's (IANA) names. */
const IANA_OF: Record<string, CipherSuite> = Object.fromEntries(
  Object.entries(CIPHER_SUITES).flatMap(([iana, openssl]) => [[openssl, iana], [iana, iana]]),
) as Record<string, CipherSuite>;

/** The `connectionExtraInfo` of a result. */
export function connectionExtraInfo(result: CoreResult): ConnectionExtraInfo {
  const facts = result.connection ?? null;
  const protocol = facts?.protocol ? PROTOCOL_NAMES[facts.protocol.toLowerCase()] : undefined;
  const tlsVersion = facts?.tlsVersion ? TLS_VERSIONS[facts.tlsVersion] : undefined;
  const info: ConnectionExtraInfo = {
    networkProtocolName: protocol
      ? protocol === "HTTP/2" && tlsVersion !== undefined ? "HTTP/2 over TLS" : protocol
      : "Unknown/Non-HTTP",
    localAddress: facts?.localAddress ?? "",
    remoteAddress: facts?.remoteAddress ?? "",
    localPort: facts?.localPort ?? 0,
    remotePort: facts?.remotePort ?? 0,
    isReusedConnection: facts?.reused ?? false,
    isProxyConnection: facts?.viaProxy ?? false,
    isCacheHit: result.timing.fromCache === true,
    redirectCount: result.redirects,
  };
  if (tlsVersion !== undefined) info.tlsVersion = tlsVersion;
  const cipher = facts?.cipher ? IANA_OF[facts.cipher] : undefined;
  if (cipher) info.cipherSuite = cipher;
  return info;
}
