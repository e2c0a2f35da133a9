import assert from "node:assert/strict";
import { isIP } from "node:net";
import { ipVersion } from "../src/core/ip_literal.ts";

Deno.test("ipVersion answers as node:net's isIP", () => {
  const cases = [
    "127.0.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "256.1.1.1",
    "1.2.3",
    "01.2.3.4",
    "1.2.3.4 ",
    "::",
    "::1",
    "fe80::1%eth0",
    "2001:db8::8a2e:370:7334",
    "::ffff:192.0.2.1",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "[::1]",
    "localhost",
    "example.com",
    "",
    "g::1",
    "12345::",
    "1:2:3:4:5:6:1.2.3.4",
    "::1.2.3.4",
    "a:b:c:d:e:f:0:1%1",
  ];
  for (const text of cases) assert.equal(ipVersion(text), isIP(text), text);
});
