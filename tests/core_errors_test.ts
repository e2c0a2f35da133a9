// Unit checks of the error classification for both shapes Deno has used:
// detail in `cause.message` (Deno >= 2.9.2) and detail in `message` (older).
import assert from "node:assert/strict";
import { classifyError, NetError } from "../src/core/errors.ts";

const CASES: Array<[string, string]> = [
  ["client error (Connect): dns error: failed to lookup address information", "HOST_UNRESOLVED"],
  [
    "client error (Connect): tcp connect error: Connection refused (os error 111)",
    "CONNECT_FAILED",
  ],
  ["client error (Connect): invalid peer certificate: UnknownIssuer", "TLS_PEER"],
  ["client error (SendRequest): connection closed before message completed", "EMPTY_REPLY"],
  ["client error (Connect): received corrupt message of type InvalidContentType", "TLS_HANDSHAKE"],
];

Deno.test("classifyError reads the detail from cause.message (Deno >= 2.9.2)", () => {
  for (const [detail, code] of CASES) {
    const error = new TypeError("fetch failed", {
      cause: new Error(`error sending request for url (http://127.0.0.1:1/): ${detail}`),
    });
    assert.equal(classifyError(error, "connect").code, code, detail);
  }
});

Deno.test("classifyError reads the detail from message (Deno < 2.9.2)", () => {
  for (const [detail, code] of CASES) {
    const error = new TypeError(`error sending request for url (http://127.0.0.1:1/): ${detail}`);
    assert.equal(classifyError(error, "connect").code, code, detail);
  }
});

Deno.test("classifyError maps body failures by whether a declared length was cut short", () => {
  const error = new TypeError("error reading a body from connection");
  assert.equal(classifyError(error, "body", true).code, "PARTIAL_BODY");
  assert.equal(classifyError(error, "body", false).code, "RECEIVE_FAILED");
});

Deno.test("classifyError keeps NetErrors and maps permission errors", () => {
  const own = new NetError("TIMEOUT", "x");
  assert.equal(classifyError(own, "connect"), own);
  const denied = new Deno.errors.NotCapable('Requires net access to "127.0.0.1:1"');
  assert.equal(classifyError(denied, "connect").code, "PERMISSION_DENIED");
  assert.equal(classifyError(new Error("something new"), "connect").code, "INTERNAL");
});
