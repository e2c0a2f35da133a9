// serverAuthentication: Basic (RFC 7617), Digest (RFC 7616) and NTLMv2 (MS-NLMP), against
// python3-httpbin's /basic-auth and /digest-auth, a loopback Digest server written from RFC
// 7616 §3.4.1 (for SHA-512-256), the RFC's own §3.9.1 example, and MS-NLMP §4.2.4's vectors.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import http from "../ohos.ts";
import { parseChallenges } from "../src/core/auth_challenge.ts";
import { digestAuthorization } from "../src/core/auth_digest.ts";
import {
  ntlmAuthenticate,
  ntlmNegotiate,
  ntlmv2Responses,
  ntowfv2,
  parseNtlmChallenge,
} from "../src/core/auth_ntlm.ts";
import { createHttp, HTTPBIN, serve, startHttpbin, testWith } from "./_helpers.ts";

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const credential = { username: "user", password: "passwd" };

testWith(HTTPBIN)(
  "httpbin: Basic and Digest (MD5, SHA-256, SHA-512; qop auth, auth-int, none) answer the challenge",
  async (t) => {
    await using bin = await startHttpbin();
    if (!bin) return void t.step({ name: "python3-httpbin missing", ignore: true, fn() {} });
    using req = createHttp();
    const ok = async (path: string, authenticationType?: http.AuthenticationType) => {
      const res = await req.request(`${bin.url}${path}`, {
        serverAuthentication: { credential, authenticationType },
        expectDataType: http.HttpDataType.OBJECT,
      });
      assert.equal(res.responseCode, 200, `${path} ${authenticationType}`);
      assert.equal((res.result as { authenticated: boolean }).authenticated, true);
    };
    await ok("/basic-auth/user/passwd", "basic");
    await ok("/basic-auth/user/passwd"); // negotiated from the challenge
    for (const qop of ["auth", "auth-int", "none"]) {
      for (const algorithm of ["MD5", "SHA-256", "SHA-512"]) {
        await ok(`/digest-auth/${qop}/user/passwd/${algorithm}`, "digest");
        await ok(`/digest-auth/${qop}/user/passwd/${algorithm}`);
      }
    }
    // A wrong password: the server's 401 is the answer, not an error.
    const wrong = await req.request(`${bin.url}/digest-auth/auth/user/passwd/MD5`, {
      serverAuthentication: { credential: { username: "user", password: "nope" } },
    });
    assert.equal(wrong.responseCode, 401);
    // Without serverAuthentication nothing is answered.
    assert.equal((await req.request(`${bin.url}/basic-auth/user/passwd`)).responseCode, 401);
  },
);

Deno.test("Digest SHA-512-256 with auth-int on a POST body, against a server checking RFC 7616 §3.4.1", async () => {
  const nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  const sha = (text: string | Uint8Array) => createHash("sha512-256").update(text).digest("hex");
  let verified = 0;
  await using server = serve(async (request) => {
    const body = new Uint8Array(await request.arrayBuffer());
    const header = request.headers.get("authorization");
    if (!header) {
      return new Response("challenge", {
        status: 401,
        headers: {
          "www-authenticate":
            `Digest realm="api", qop="auth-int", algorithm=SHA-512-256, nonce="${nonce}", opaque="op"`,
        },
      });
    }
    const p = parseChallenges(header)[0]!.params;
    const ha1 = sha(`u:api:p w`);
    const ha2 = sha(`POST:${p.get("uri")}:${sha(body)}`);
    const expected = sha(`${ha1}:${nonce}:${p.get("nc")}:${p.get("cnonce")}:auth-int:${ha2}`);
    const ok = p.get("response") === expected && p.get("opaque") === "op" &&
      p.get("uri") === "/x?y=1" && p.get("algorithm") === "SHA-512-256";
    if (ok) verified++;
    return new Response(ok ? "welcome" : "denied", { status: ok ? 200 : 403 });
  });
  using req = createHttp();
  const heads: number[] = [];
  req.on("headersReceive", () => heads.push(1));
  const res = await req.request(`${server.url}/x?y=1`, {
    method: http.RequestMethod.POST,
    extraData: "the body",
    serverAuthentication: { credential: { username: "u", password: "p w" } },
  });
  assert.equal(res.result, "welcome");
  assert.equal(verified, 1);
  assert.equal(heads.length, 1, "the challenged 401 is held back from the events");
});

Deno.test("RFC 7616 §3.9.1: the example's MD5 and SHA-256 responses", () => {
  const challenge = (algorithm: string) =>
    parseChallenges(
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, ` +
        `nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", ` +
        `opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
    )[0]!;
  const input = {
    username: "Mufasa",
    password: "Circle of Life",
    method: "GET",
    uri: "/dir/index.html",
    body: null,
    nc: 1,
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
  };
  assert.match(
    digestAuthorization(challenge("MD5"), input),
    /response="8ca523f5e9506fed4657c9700eebdbec"/,
  );
  assert.match(
    digestAuthorization(challenge("SHA-256"), input),
    /response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"/,
  );
});

Deno.test("MS-NLMP §4.2.4: NTOWFv2, LMv2 and NTProofStr of the published example", () => {
  const key = ntowfv2("User", "Password", "Domain");
  assert.equal(hex(key), "0c868a403bfd7a93a3001ef22ef02e3f");
  const utf16 = (s: string) => Array.from(s).flatMap((c) => [c.charCodeAt(0), 0]);
  const targetInfo = new Uint8Array([
    2,
    0,
    12,
    0,
    ...utf16("Domain"),
    1,
    0,
    12,
    0,
    ...utf16("Server"),
    0,
    0,
    0,
    0,
  ]);
  const serverChallenge = new Uint8Array([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
  const { nt, lm } = ntlmv2Responses(
    key,
    { flags: 0, serverChallenge, targetInfo },
    new Uint8Array(8).fill(0xaa),
    new Uint8Array(8),
  );
  assert.equal(hex(lm), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa");
  assert.equal(hex(nt.subarray(0, 16)), "68cd0ab851e51c96aabc927bebef6a1c");
});

Deno.test("NTLM: NEGOTIATE, CHALLENGE and AUTHENTICATE over one keep-alive connection", async () => {
  const serverChallenge = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  // A CHALLENGE message (type 2) with an empty target info.
  const type2 = new Uint8Array(48);
  type2.set(new TextEncoder().encode("NTLMSSP\0"));
  const view = new DataView(type2.buffer);
  view.setUint32(8, 2, true);
  view.setUint32(20, 0x00088205, true);
  type2.set(serverChallenge, 24);
  view.setUint32(44, 48, true);
  const type2Base64 = btoa(String.fromCharCode(...type2));
  const ports: number[] = [];
  let verdict = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request, info) => {
      ports.push(info.remoteAddr.port);
      const header = request.headers.get("authorization") ?? "";
      if (header === `NTLM ${ntlmNegotiate()}`) {
        return new Response(null, {
          status: 401,
          headers: { "www-authenticate": `NTLM ${type2Base64}` },
        });
      }
      if (!header.startsWith("NTLM ")) {
        return new Response(null, { status: 401, headers: { "www-authenticate": "NTLM" } });
      }
      // Check the NTLMv2 proof in the AUTHENTICATE message with the user's key.
      const bytes = Uint8Array.from(atob(header.slice(5)), (c) => c.charCodeAt(0));
      const v = new DataView(bytes.buffer);
      const ntLength = v.getUint16(20, true);
      const ntOffset = v.getUint32(24, true);
      const nt = bytes.subarray(ntOffset, ntOffset + ntLength);
      const blob = nt.subarray(16);
      const client = blob.subarray(16, 24);
      const timestamp = blob.subarray(8, 16);
      const expected = ntlmv2Responses(
        ntowfv2("alice", "s3cret", "CORP"),
        { flags: 0, serverChallenge, targetInfo: new Uint8Array() },
        client,
        timestamp,
      ).nt;
      verdict = hex(expected) === hex(nt) ? "ok" : "bad proof";
      return new Response(verdict, { status: verdict === "ok" ? 200 : 403 });
    },
  );
  try {
    using req = createHttp();
    const res = await req.request(`http://127.0.0.1:${server.addr.port}/`, {
      serverAuthentication: {
        credential: { username: "CORP\\alice", password: "s3cret" },
        authenticationType: "ntlm",
      },
    });
    assert.equal(verdict, "ok");
    assert.equal(res.responseCode, 200);
    assert.equal(new Set(ports).size, 1, "the handshake stayed on one connection");
    assert.ok(parseNtlmChallenge(type2Base64));
    assert.match(
      ntlmAuthenticate(
        { username: "a", password: "b", domain: "", workstation: "" },
        parseNtlmChallenge(type2Base64)!,
      ),
      /^TlRMTVNTUAAD/,
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("credentials never reach another origin: a redirect to a challenging server gets none", async () => {
  const seen: Array<string | null> = [];
  await using other = serve((request) => {
    seen.push(request.headers.get("authorization"));
    return new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } });
  });
  await using first = serve(() =>
    new Response(null, { status: 302, headers: { location: `${other.url}/` } })
  );
  using req = createHttp();
  const res = await req.request(first.url, {
    serverAuthentication: { credential: { username: "u", password: "p" } },
  });
  assert.equal(res.responseCode, 401);
  assert.deepEqual(seen, [null]);
  // An explicit Basic is sent at once, to the request's origin only.
  const basic = await req.request(first.url, {
    serverAuthentication: {
      credential: { username: "u", password: "p" },
      authenticationType: "basic",
    },
  });
  assert.equal(basic.responseCode, 401);
  assert.deepEqual(seen, [null, null]);
});
