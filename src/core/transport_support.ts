/**
 * Which {@linkcode TransportOptions} the transports honour today. A face
 * maps its options into `TransportOptions`, then asks
 * {@linkcode unhonouredSetting} and refuses the request naming its own
 * option: a setting is never silently dropped. When a transport starts to
 * honour a setting, its name leaves {@linkcode PENDING_SETTINGS}.
 *
 * @module
 */

import type { TransportOptions } from "./request.ts";

/** A transport setting, by the field (or `tls` member) that carries it. */
export type TransportSetting =
  | "caData"
  | "tls.pins"
  | "tls.verify"
  | "tls.versions"
  | "tls.ciphers"
  | "tls.serverName"
  | "tls.partialChain"
  | "addressFamily"
  | "reuseConnections"
  | "idleConnectionTimeout"
  | "socks5";

/**
 * Settings that no transport honours yet; empty since the socket-level
 * engine became the router's socket transport (what it cannot do, such as
 * a cipher list, it refuses itself). A name goes here when a setting is
 * added to `TransportOptions` before a transport honours it.
 */
export const PENDING_SETTINGS: ReadonlySet<TransportSetting> = new Set<TransportSetting>();

/** The settings `options` asks for beyond the defaults, in a fixed order. */
export function requestedSettings(options: TransportOptions): TransportSetting[] {
  const wanted: TransportSetting[] = [];
  if (options.caData) wanted.push("caData");
  const tls = options.tls;
  if (tls) {
    if (tls.pins.length > 0) wanted.push("tls.pins");
    if (tls.verify !== "system") wanted.push("tls.verify");
    if (tls.minVersion !== null || tls.maxVersion !== null) wanted.push("tls.versions");
    if (tls.ciphers !== null) wanted.push("tls.ciphers");
    if (tls.serverName !== null) wanted.push("tls.serverName");
    if (tls.partialChain) wanted.push("tls.partialChain");
  }
  if (options.addressFamily) wanted.push("addressFamily");
  if (options.reuseConnections === false) wanted.push("reuseConnections");
  if (options.idleConnectionTimeout) wanted.push("idleConnectionTimeout");
  const proxy = options.proxy;
  if (typeof proxy === "object" && proxy.url.protocol === "socks5:") wanted.push("socks5");
  return wanted;
}

/** The first setting of `options` that no transport honours yet, or `null`. */
export function unhonouredSetting(options: TransportOptions): TransportSetting | null {
  for (const setting of requestedSettings(options)) {
    if (PENDING_SETTINGS.has(setting)) return setting;
  }
  return null;
}
