/**
 * IP literal detection without `node:net`: its `isIP` would load Deno's Node
 * compatibility layer (about 9 MiB) on the plain-GET path. The patterns are
 * Node's own (`lib/internal/net.js`), so the answers are the same.
 *
 * @module
 */

const V4_PART = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const V4 = `(?:${V4_PART}\\.){3}${V4_PART}`;
const V6_PART = "(?:[0-9a-fA-F]{1,4})";
const IPV4 = new RegExp(`^${V4}$`);
const IPV6 = new RegExp(
  "^(?:" +
    `(?:${V6_PART}:){7}(?:${V6_PART}|:)|` +
    `(?:${V6_PART}:){6}(?:${V4}|:${V6_PART}|:)|` +
    `(?:${V6_PART}:){5}(?::${V4}|(?::${V6_PART}){1,2}|:)|` +
    `(?:${V6_PART}:){4}(?:(?::${V6_PART}){0,1}:${V4}|(?::${V6_PART}){1,3}|:)|` +
    `(?:${V6_PART}:){3}(?:(?::${V6_PART}){0,2}:${V4}|(?::${V6_PART}){1,4}|:)|` +
    `(?:${V6_PART}:){2}(?:(?::${V6_PART}){0,3}:${V4}|(?::${V6_PART}){1,5}|:)|` +
    `(?:${V6_PART}:){1}(?:(?::${V6_PART}){0,4}:${V4}|(?::${V6_PART}){1,6}|:)|` +
    `(?::(?:(?::${V6_PART}){0,5}:${V4}|(?::${V6_PART}){1,7}|:))` +
    ")(?:%[0-9a-zA-Z-.:]{1,})?$",
);

/**
 * `4` for an IPv4 literal, `6` for an IPv6 literal (without brackets, a zone
 * allowed), `0` for anything else: what `node:net`'s `isIP` answers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ipVersion } from "./ip_literal.ts";
 * assert.equal(ipVersion("127.0.0.1"), 4);
 * assert.equal(ipVersion("::1"), 6);
 * assert.equal(ipVersion("localhost"), 0);
 * ```
 */
export function ipVersion(text: string): 0 | 4 | 6 {
  if (IPV4.test(text)) return 4;
  return IPV6.test(text) ? 6 : 0;
}
