// The options connector's TLS (src/core/wire/tls_connector.ts) against real TLS servers on
// loopback: python's ssl module (OpenSSL) limited to TLS 1.2 or 1.3, choosing certificates by
// SNI, self-signed, with an intermediate CA, and nginx asking for client certificates. Expected
// pins are computed with the openssl command line, not with the code under test.

import assert from "node:assert/strict";
import type { ConnectTarget } from "../src/core/wire/connection.ts";
import { certDir, makeCa, makeCert, OPENSSL } from "./_tls.ts";
import { makePki, NGINX, startNginx } from "./_transport_servers.ts";
import {
  connectorFailure,
  connectorGet,
  makeIntermediate,
  PYTHON,
  spkiPin,
  startTlsServer,
  type TestServer,
  tlsControl,
} from "./_wire_servers.ts";
import { testWith } from "./_helpers.ts";

function target(server: TestServer | number, hostname = "127.0.0.1"): ConnectTarget {
  return { hostname, port: typeof server === "number" ? server : server.port, secure: true };
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  python: testWith(OPENSSL, PYTHON),
  nginx: testWith(NGINX, OPENSSL),
};

test.python("wire TLS: versions, SNI, verification modes and callbacks, pins, partial chains", async (t) => {
  await using tmp = await certDir("wire_tls_");
  if (!tmp) return;
  const dir = tmp.path;
  const root = await makeCa(dir, "root", { cn: "Wire Root CA" });
  const server = await makeCert(dir, "server", root, {
    cn: "localhost",
    san: "DNS:localhost,IP:127.0.0.1",
  });
  const alt = await makeCert(dir, "alt", root, { cn: "alt.test", san: "DNS:alt.test" });
  const self = await makeCa(dir, "self", { cn: "localhost", san: "DNS:localhost,IP:127.0.0.1" });
  const inter = await makeIntermediate(dir, "inter", root);
  const leaf = await makeCert(dir, "leaf", inter, { cn: "localhost", san: "IP:127.0.0.1" });
  const chainPem = `${dir}/leaf-chain.pem`;
  await Deno.writeTextFile(
    chainPem,
    (await Deno.readTextFile(leaf.pem)) + (await Deno.readTextFile(inter.pem)),
  );

  await using tls12 = await startTlsServer({ cert: server.pem, key: server.key, max: "1.2" });
  await using tls13 = await startTlsServer({ cert: server.pem, key: server.key, min: "1.3" });
  await using sni = await startTlsServer({
    cert: server.pem,
    key: server.key,
    sni: { "alt.test": { cert: alt.pem, key: alt.key } },
  });
  await using selfSigned = await startTlsServer({ cert: self.pem, key: self.key });
  await using chained = await startTlsServer({ cert: chainPem, key: leaf.key });
  if (!tls12 || !tls13 || !sni || !selfSigned || !chained) return;
  const trusted = { caPath: root.pem };

  await t.step(
    "a TLS 1.2-only server: 1.2 negotiated; minVersion TLSv1.3 fails the handshake",
    async () => {
      const ok = await connectorGet(target(tls12), { ...trusted, tls: tlsControl() });
      assert.equal(ok.status, 200);
      assert.match(ok.body, /version=TLSv1\.2 /);
      assert.equal(ok.facts.tlsVersion, "TLSv1.2");
      assert.match(ok.facts.cipher ?? "", /^TLS_ECDHE_ECDSA_WITH_/);
      const error = await connectorFailure(target(tls12), {
        ...trusted,
        tls: tlsControl({ minVersion: "TLSv1.3" }),
      });
      assert.equal(error.code, "TLS_HANDSHAKE");
      assert.match(error.message, /ProtocolVersion/);
    },
  );

  await t.step(
    "a TLS 1.3-only server: maxVersion TLSv1.2 fails; bounds at 1.3 connect",
    async () => {
      const error = await connectorFailure(target(tls13), {
        ...trusted,
        tls: tlsControl({ maxVersion: "TLSv1.2" }),
      });
      assert.equal(error.code, "TLS_HANDSHAKE");
      const ok = await connectorGet(target(tls13), {
        ...trusted,
        tls: tlsControl({ minVersion: "TLSv1.3", maxVersion: "TLSv1.3" }),
      });
      assert.match(ok.body, /version=TLSv1\.3 /);
      assert.equal(ok.facts.tlsVersion, "TLSv1.3");
      assert.match(ok.facts.cipher ?? "", /^TLS_(AES|CHACHA20)_/);
    },
  );

  await t.step(
    "versions this runtime lacks and a cipher list are refused before connecting",
    async () => {
      const old = await connectorFailure(target(tls12), {
        ...trusted,
        tls: tlsControl({ minVersion: "TLSv1.1" as "TLSv1.2" }),
      });
      assert.equal(old.code, "INVALID_ARGUMENT");
      assert.match(old.message, /'tls.minVersion'/);
      assert.equal(old.details.field, "tls.minVersion");
      const inverted = await connectorFailure(target(tls12), {
        ...trusted,
        tls: tlsControl({ minVersion: "TLSv1.3", maxVersion: "TLSv1.2" }),
      });
      assert.equal(inverted.code, "INVALID_ARGUMENT");
      const ciphers = await connectorFailure(target(tls12), {
        ...trusted,
        tls: tlsControl({ ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256" }),
      });
      assert.equal(ciphers.code, "TLS_CIPHER");
      assert.match(ciphers.message, /'tls.ciphers' cannot be enforced/);
      assert.equal(ciphers.details.field, "tls.ciphers");
    },
  );

  await t.step(
    "SNI: serverName reaches the server, picks its certificate and is verified",
    async () => {
      const byName = await connectorGet(target(sni), {
        ...trusted,
        tls: tlsControl({ serverName: "alt.test" }),
      });
      assert.match(byName.body, /^sni=alt\.test /);
      const byIp = await connectorGet(target(sni), { ...trusted, tls: tlsControl() });
      assert.match(byIp.body, /^sni=- /, "an IP literal is not sent as SNI");
      const byHost = await connectorGet(target(sni, "localhost"), {
        ...trusted,
        tls: tlsControl(),
      });
      assert.match(byHost.body, /^sni=localhost /);
      // The name is checked against the certificate the server chose for it.
      const unknown = await connectorFailure(target(sni), {
        ...trusted,
        tls: tlsControl({ serverName: "other.test" }),
      });
      assert.equal(unknown.code, "TLS_PEER");
      assert.match(unknown.message, /other\.test/);
    },
  );

  await t.step("a self-signed server: refused by default, accepted with 'skip'", async () => {
    assert.equal(
      (await connectorFailure(target(selfSigned), { tls: tlsControl() })).code,
      "TLS_PEER",
    );
    assert.equal((await connectorFailure(target(selfSigned), {})).code, "TLS_PEER");
    const skipped = await connectorGet(target(selfSigned), { tls: tlsControl({ verify: "skip" }) });
    assert.equal(skipped.status, 200);
    // With an extra CA that did not sign it, the message says whether the default roots counted.
    const other = await connectorFailure(target(selfSigned), { caPath: root.pem });
    assert.equal(other.code, "TLS_PEER");
    if (!canReadRoots()) assert.match(other.message, /--allow-sys=ca/);
  });

  await t.step(
    "a self-signed CA certificate served by the server is trusted when given as caPath",
    async () => {
      const ok = await connectorGet(target(selfSigned), { caPath: self.pem });
      assert.equal(ok.status, 200);
      const viaData = await connectorGet(target(selfSigned), {
        caData: await Deno.readTextFile(self.pem),
      });
      assert.equal(viaData.status, 200);
    },
  );

  await t.step(
    "a validation callback: sync and async true accept; false and a throw refuse",
    async () => {
      const derLeaf = await Deno.readTextFile(self.pem).then(pemToDer);
      const seen: Array<
        { chain: readonly Uint8Array[]; hostname: string; ok: boolean; address: unknown }
      > = [];
      const ok = await connectorGet(target(selfSigned), {
        tls: tlsControl({
          verify: (peer) => {
            seen.push({
              chain: peer.chain,
              hostname: peer.hostname,
              ok: peer.systemVerdict.ok,
              address: peer.remoteAddress,
            });
            return true;
          },
        }),
      });
      assert.equal(ok.status, 200);
      assert.equal(seen.length, 1);
      assert.deepEqual(seen[0]!.chain[0], derLeaf, "the leaf is first, as DER");
      assert.equal(seen[0]!.hostname, "127.0.0.1");
      assert.equal(seen[0]!.ok, false, "the system verdict on a self-signed certificate");
      assert.equal(seen[0]!.address, "127.0.0.1");

      const asyncOk = await connectorGet(target(selfSigned), {
        tls: tlsControl({ verify: async () => await Promise.resolve(true) }),
      });
      assert.equal(asyncOk.status, 200);

      const refused = await connectorFailure(target(selfSigned), {
        tls: tlsControl({ verify: () => false }),
      });
      assert.equal(refused.code, "TLS_PEER");
      assert.match(refused.message, /callback/);
      const asyncRefused = await connectorFailure(target(selfSigned), {
        tls: tlsControl({ verify: () => Promise.resolve(false) }),
      });
      assert.equal(asyncRefused.code, "TLS_PEER");
      const thrown = await connectorFailure(target(selfSigned), {
        tls: tlsControl({
          verify: () => {
            throw new Error("no thanks");
          },
        }),
      });
      assert.equal(thrown.code, "TLS_PEER");
      assert.match(thrown.message, /no thanks/);
      const rejected = await connectorFailure(target(selfSigned), {
        tls: tlsControl({ verify: () => Promise.reject(new Error("async no")) }),
      });
      assert.equal(rejected.code, "TLS_PEER");

      // A trusted server: the callback sees the system's approval and the whole chain.
      let verdict: boolean | null = null;
      let length = 0;
      await connectorGet(target(chained), {
        caPath: root.pem,
        tls: tlsControl({
          verify: (peer) => {
            verdict = peer.systemVerdict.ok;
            length = peer.chain.length;
            return true;
          },
        }),
      });
      assert.equal(verdict, true);
      assert.ok(length >= 2, `leaf and intermediate at least, got ${length}`);
    },
  );

  await t.step(
    "pins: the right hash (openssl's), a wrong one, several with one right",
    async () => {
      const right = await spkiPin(server.pem);
      const wrong = await spkiPin(alt.pem);
      const ok = await connectorGet(target(tls13), {
        ...trusted,
        tls: tlsControl({ pins: [right] }),
      });
      assert.equal(ok.status, 200);
      const error = await connectorFailure(target(tls13), {
        ...trusted,
        tls: tlsControl({ pins: [wrong] }),
      });
      assert.equal(error.code, "TLS_PIN");
      assert.match(error.message, /pinning/);
      assert.ok(error.message.includes(right), "the message names the server's hash");
      const several = await connectorGet(target(tls12), {
        ...trusted,
        tls: tlsControl({ pins: [wrong, right] }),
      });
      assert.equal(several.status, 200);
      // Pinning applies even when verification is skipped.
      const selfPin = await spkiPin(self.pem);
      assert.equal(
        (await connectorGet(target(selfSigned), {
          tls: tlsControl({ verify: "skip", pins: [selfPin] }),
        }))
          .status,
        200,
      );
      assert.equal(
        (await connectorFailure(target(selfSigned), {
          tls: tlsControl({ verify: "skip", pins: [right] }),
        }))
          .code,
        "TLS_PIN",
      );
      const malformed = await connectorFailure(target(tls13), {
        ...trusted,
        tls: tlsControl({ pins: ["not-a-hash"] }),
      });
      assert.equal(malformed.code, "INVALID_ARGUMENT");
    },
  );

  await t.step("partial chains: an intermediate as the only CA needs partialChain", async () => {
    const full = await connectorGet(target(chained), { caPath: root.pem, tls: tlsControl() });
    assert.equal(full.status, 200);
    const partial = await connectorFailure(target(chained), {
      caPath: inter.pem,
      tls: tlsControl(),
    });
    assert.equal(partial.code, "TLS_PEER");
    assert.match(partial.message, /partial/);
    const allowed = await connectorGet(target(chained), {
      caPath: inter.pem,
      tls: tlsControl({ partialChain: true }),
    });
    assert.equal(allowed.status, 200);
  });

  await t.step("facts: addresses, ports and phases of the connection", async () => {
    const { facts } = await connectorGet(target(tls13), trusted);
    assert.equal(facts.remoteAddress, "127.0.0.1");
    assert.equal(facts.remotePort, tls13.port);
    assert.equal(facts.localAddress, "127.0.0.1");
    assert.ok((facts.localPort ?? 0) > 0);
    assert.equal(facts.viaProxy, false);
    assert.equal(facts.requestTarget, "origin");
    const phases = facts.phases!;
    assert.equal(phases.dns, null, "no lookup for an IP literal");
    assert.ok(phases.tls! >= phases.tcp!);
  });
});

test.nginx("wire TLS: client certificates against nginx with ssl_verify_client on", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  await using nginx = await startNginx(pki);
  if (!nginx) return;
  const to = target(nginx.mtlsPort);
  const trusted = { caPath: pki.caPem };

  for (
    const [label, clientCert] of [
      ["PEM (RSA)", { certPath: pki.rsa.pem, certType: "PEM", keyPath: pki.rsa.key }],
      ["DER (EC)", { certPath: pki.ec.der, certType: "DER", keyPath: pki.ec.keyDer }],
      ["P12 (RSA)", { certPath: pki.rsa.p12, certType: "P12", keyPath: "" }],
      ["encrypted PEM key", {
        certPath: pki.ec.pem,
        certType: "PEM",
        keyPath: pki.ec.encryptedKey,
      }],
    ] as const
  ) {
    await t.step(`${label}: nginx sees the client's name`, async () => {
      const ok = await connectorGet(to, {
        ...trusted,
        clientCert: { keyPassword: pki.password, ...clientCert },
        tls: tlsControl(),
      });
      assert.equal(ok.status, 200);
      assert.match(ok.body, /^mtls HTTP\/1\.1 CN=(rsa|ec)-client/);
    });
  }

  await t.step("without a client certificate nginx answers 400", async () => {
    const none = await connectorGet(to, trusted);
    assert.equal(none.status, 400);
  });

  await t.step("a wrong key password is TLS_CLIENT_CERT before connecting", async () => {
    const error = await connectorFailure(to, {
      ...trusted,
      clientCert: {
        certPath: pki.rsa.p12,
        certType: "P12",
        keyPath: "",
        keyPassword: "wrong",
      },
    });
    assert.equal(error.code, "TLS_CLIENT_CERT");
  });
});

/** Whether this test process may read the default roots (`--allow-sys=ca`, or `-A`). */
function canReadRoots(): boolean {
  try {
    const descriptor = { name: "sys", kind: "ca" } as unknown as Deno.PermissionDescriptor;
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return true; // Deno 2.9.6 rejects the descriptor under --allow-all
  }
}

function pemToDer(pem: string): Uint8Array {
  const base64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}
