// validatesSecureCertificate and tlsVersion against an https Deno.serve whose certificate no
// system store trusts (a throwaway CA from _tls.ts). Verification is on by default; turning it
// off (unsafe) goes through the socket-level transport, for that client only.

import assert from "node:assert/strict";
import { Network } from "../mod.ts";
import type { FailureResponse, HTTPClientProperties } from "../mod.ts";
import { closedPort, serve } from "./_helpers.ts";
import { certDir, makeServerCertificate } from "./_tls.ts";

async function get(url: string, props: HTTPClientProperties = {}) {
  const errors: FailureResponse[] = [];
  let loads = 0;
  const xhr = Network.createHTTPClient({
    onload: () => loads++,
    onerror: (e) => errors.push(e),
    timeout: 10_000,
    ...props,
  });
  xhr.open("GET", url);
  await xhr.send();
  return { xhr, errors, loads };
}

/** An https server on 127.0.0.1 with an untrusted certificate; `null` without openssl. */
async function untrustedServer() {
  const dir = await certDir("titanium-tls-");
  if (!dir) return null;
  const { cert, key } = await makeServerCertificate(dir.path);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, cert, key, onListen() {} },
    (req) => new Response(`secret over ${new URL(req.url).protocol}`),
  );
  return {
    url: `https://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await dir[Symbol.asyncDispose]();
    },
  };
}

Deno.test("validatesSecureCertificate: on by default, an untrusted certificate ends in onerror", async () => {
  await using server = await untrustedServer();
  if (!server) return;
  const fresh = Network.createHTTPClient();
  assert.equal(fresh.validatesSecureCertificate, true);
  const { errors, loads, xhr } = await get(`${server.url}/`);
  assert.equal(loads, 0);
  assert.ok([-1202, -1203, -1200].includes(errors[0]!.code), String(errors[0]?.code));
  assert.equal(xhr.responseText, "");
});

Deno.test("validatesSecureCertificate = false (unsafe): an untrusted certificate is accepted for that client only", async () => {
  await using server = await untrustedServer();
  if (!server) return;
  const skip = await get(`${server.url}/`, { validatesSecureCertificate: false });
  assert.equal(skip.xhr.validatesSecureCertificate, false);
  assert.deepEqual(skip.errors.map((e) => e.error), []);
  assert.equal(skip.loads, 1);
  assert.equal(skip.xhr.responseText, "secret over https:");
  // Right after, a client with the default still refuses the same server: no pooled
  // connection or shared setting carries the skipped verification over.
  const strict = await get(`${server.url}/`);
  assert.equal(strict.loads, 0);
  assert.ok([-1202, -1203, -1200].includes(strict.errors[0]!.code), String(strict.errors[0]?.code));
});

Deno.test("validatesSecureCertificate = false: plain http is unaffected; a redirect to https is followed", async () => {
  await using tls = await untrustedServer();
  await using server = serve((req) => {
    if (new URL(req.url).pathname === "/to-https") {
      return new Response(null, { status: 302, headers: { location: `${tls!.url}/` } });
    }
    return new Response("plain");
  });
  if (!tls) return;
  const http = await get(`${server.url}/`, { validatesSecureCertificate: false });
  assert.equal(http.xhr.responseText, "plain");

  const redirected = await get(`${server.url}/to-https`, { validatesSecureCertificate: false });
  assert.equal(redirected.loads, 1);
  assert.equal(redirected.xhr.responseText, "secret over https:");
  assert.equal(redirected.xhr.location, `${tls.url}/`);
  const strict = await get(`${server.url}/to-https`);
  assert.equal(strict.loads, 0, "the default still verifies the redirect's target");
});

Deno.test("tlsVersion: TLS_VERSION_1_3 is a minimum the server meets; bad values are refused", async () => {
  await using plain = serve(() => new Response("plain"));
  await using server = await untrustedServer();
  if (server) {
    // Deno.serve speaks TLS 1.3: the minimum is met (verification off to reach it).
    const ok = await get(`${server.url}/`, {
      tlsVersion: Network.TLS_VERSION_1_3,
      validatesSecureCertificate: false,
    });
    assert.deepEqual(ok.errors.map((e) => e.error), []);
    assert.equal(ok.loads, 1);
  }
  const refused = await get(`https://127.0.0.1:${closedPort()}/`, {
    tlsVersion: Network.TLS_VERSION_1_3,
  });
  assert.equal(refused.errors[0]?.code, -1004);
  const lower = await get(`${plain.url}/`, { tlsVersion: Network.TLS_VERSION_1_2 });
  assert.equal(lower.loads, 1);
  const bad = await get(`${plain.url}/`, { tlsVersion: 9 });
  assert.equal(bad.errors[0]?.code, -1);
  assert.match(bad.errors[0]!.error, /'tlsVersion'/);
});

Deno.test("securityManager: a manager that handles the URL cannot run here: onerror, never sent", async () => {
  let hits = 0;
  await using server = serve(() => {
    hits++;
    return new Response("ok");
  });
  const manager = {
    willHandleURL: (url: unknown) => String(url).includes("/pinned"),
    connectionDelegateForUrl: () => null,
    getKeyManagers: () => [],
    getTrustManagers: () => [],
  };
  const pinned = await get(`${server.url}/pinned`, { securityManager: manager });
  assert.equal(pinned.errors[0]?.code, -1200);
  assert.match(pinned.errors[0]!.error, /securityManager handles/);
  assert.equal(hits, 0);
  const other = await get(`${server.url}/other`, { securityManager: manager });
  assert.equal(other.loads, 1, "a manager that does not handle the URL takes no part");
  const broken = await get(`${server.url}/`, { securityManager: {} as never });
  assert.match(broken.errors[0]!.error, /SecurityManagerProtocol/);
});
