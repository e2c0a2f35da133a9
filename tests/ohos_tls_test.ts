// The http face's TLS and connection options end to end (options → router → socket-level
// transport → options connector) against real servers on loopback: python's ssl module
// (OpenSSL) limited to TLS 1.2 or 1.3, choosing certificates by SNI, self-signed; dante as a
// SOCKS5 proxy. Pins are computed with the openssl command line. Until the socket-level
// transport honours TLS control (PENDING_SETTINGS), the options are refused with 401 instead.

import assert from "node:assert/strict";
import http from "../ohos.ts";
import { PENDING_SETTINGS } from "../src/core/transport_support.ts";
import { createHttp, failure, testWith } from "./_helpers.ts";
import { certDir, makeCa, makeCert, OPENSSL } from "./_tls.ts";
import { startTinyproxy, TINYPROXY } from "./_transport_servers.ts";
import { DANTED, PYTHON, spkiPin, startDanted, startTlsServer } from "./_wire_servers.ts";

const test = {
  python: testWith(PYTHON, OPENSSL),
  dante: testWith(PYTHON, OPENSSL, DANTED),
  proxy: testWith(PYTHON, OPENSSL, TINYPROXY),
};

test.python("http face TLS: certificatePinning, remoteValidation, tlsOptions, sniHostName, caData", async (t) => {
  await using tmp = await certDir("ohos_tls_");
  if (!tmp) return;
  const dir = tmp.path;
  const root = await makeCa(dir, "root", { cn: "Face Root CA" });
  const server = await makeCert(dir, "server", root, {
    cn: "localhost",
    san: "DNS:localhost,IP:127.0.0.1",
  });
  const alt = await makeCert(dir, "alt", root, { cn: "alt.test", san: "DNS:alt.test" });
  const self = await makeCa(dir, "self", { cn: "localhost", san: "DNS:localhost,IP:127.0.0.1" });
  await using tls12 = await startTlsServer({ cert: server.pem, key: server.key, max: "1.2" });
  await using tls13 = await startTlsServer({ cert: server.pem, key: server.key, min: "1.3" });
  await using sni = await startTlsServer({
    cert: server.pem,
    key: server.key,
    sni: { "alt.test": { cert: alt.pem, key: alt.key } },
  });
  await using selfSigned = await startTlsServer({ cert: self.pem, key: self.key });
  if (!tls12 || !tls13 || !sni || !selfSigned) return;
  const url = (port: number) => `https://127.0.0.1:${port}/`;
  const caPath = root.pem;
  const pin = (publicKeyHash: string): http.CertificatePinning => ({
    publicKeyHash,
    hashAlgorithm: "SHA-256",
  });

  if (PENDING_SETTINGS.has("tls.pins")) {
    using req = createHttp();
    const refused = await failure(req.request(url(tls13.port), {
      caPath,
      certificatePinning: pin(await spkiPin(server.pem)),
    }));
    assert.equal(refused.code, 401);
    return;
  }

  await t.step("certificatePinning: the right hash passes, a wrong one is 2300090", async () => {
    using req = createHttp();
    const right = await spkiPin(server.pem);
    const ok = await req.request(url(tls13.port), { caPath, certificatePinning: pin(right) });
    assert.equal(ok.responseCode, 200);
    const several = await req.request(url(tls12.port), {
      caPath,
      certificatePinning: [pin(await spkiPin(alt.pem)), pin(right)],
    });
    assert.equal(several.responseCode, 200);
    const wrong = await failure(req.request(url(tls13.port), {
      caPath,
      certificatePinning: pin(await spkiPin(alt.pem)),
    }));
    // libcurl's CURLE_SSL_PINNEDPUBKEYNOTMATCH: the d.ts's "Specified pinned public key did not match".
    assert.equal(wrong.code, 2300090, wrong.message);
  });

  await t.step("remoteValidation: 'skip', callbacks true/false/async/throwing", async () => {
    using req = createHttp();
    const system = await failure(req.request(url(selfSigned.port)));
    assert.equal(system.code, 2300060);
    const skipped = await req.request(url(selfSigned.port), { remoteValidation: "skip" });
    assert.equal(skipped.responseCode, 200);
    let context: http.ValidationContext | null = null;
    const accepted = await req.request(url(selfSigned.port), {
      remoteValidation: (ctx) => {
        context = ctx;
        return true;
      },
    });
    assert.equal(accepted.responseCode, 200);
    const seen = context as unknown as http.ValidationContext;
    assert.match(seen.pemCerts[0] ?? "", /^-----BEGIN CERTIFICATE-----/);
    assert.equal(seen.host, "127.0.0.1");
    assert.equal(seen.ip, "127.0.0.1");
    const asyncOk = await req.request(url(selfSigned.port), {
      remoteValidation: () => Promise.resolve(true),
    });
    assert.equal(asyncOk.responseCode, 200);
    const refused = await failure(req.request(url(selfSigned.port), {
      remoteValidation: () => false,
    }));
    assert.equal(refused.code, 2300060);
    const thrown = await failure(req.request(url(selfSigned.port), {
      remoteValidation: () => {
        throw new Error("no");
      },
    }));
    assert.equal(thrown.code, 2300060);
  });

  await t.step("tlsOptions: version bounds are enforced; cipher suites are 2300059", async () => {
    using req = createHttp();
    const only13 = {
      tlsVersionMin: http.TlsVersion.TLS_V_1_3,
      tlsVersionMax: http.TlsVersion.TLS_V_1_3,
    };
    const upTo12 = {
      tlsVersionMin: http.TlsVersion.TLS_V_1_2,
      tlsVersionMax: http.TlsVersion.TLS_V_1_2,
    };
    const a = await req.request(url(tls13.port), { caPath, tlsOptions: only13 });
    assert.equal(a.responseCode, 200);
    assert.match(String(a.result), /version=TLSv1\.3 /);
    // curl's 35 (SSL connect error) is not among the codes OpenHarmony maps: 2300999.
    const tooOld = await failure(req.request(url(tls12.port), { caPath, tlsOptions: only13 }));
    assert.equal(tooOld.code, 2300999);
    assert.match(tooOld.message, /ProtocolVersion/);
    const tooNew = await failure(req.request(url(tls13.port), { caPath, tlsOptions: upTo12 }));
    assert.equal(tooNew.code, 2300999);
    assert.match(tooNew.message, /ProtocolVersion/);
    const b = await req.request(url(tls12.port), { caPath, tlsOptions: upTo12 });
    assert.match(String(b.result), /version=TLSv1\.2 /);
    const ciphers = await failure(req.request(url(tls12.port), {
      caPath,
      tlsOptions: { ...upTo12, cipherSuites: ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] },
    }));
    // The d.ts's 2300059, "The specified SSL cipher cannot be used": this runtime cannot enforce one.
    assert.equal(ciphers.code, 2300059, ciphers.message);
    assert.match(ciphers.message, /cipher/i);
  });

  await t.step("sniHostName: sent as SNI and checked against the chosen certificate", async () => {
    using req = createHttp();
    const ok = await req.request(url(sni.port), { caPath, sniHostName: "alt.test" });
    assert.equal(ok.responseCode, 200);
    assert.match(String(ok.result), /^sni=alt\.test /);
  });

  await t.step("caData: a self-signed development certificate as PEM text is trusted", async () => {
    using req = createHttp();
    const ok = await req.request(url(selfSigned.port), {
      caData: await Deno.readTextFile(self.pem),
      remoteValidation: "system",
      certificatePinning: pin(await spkiPin(self.pem)),
    });
    assert.equal(ok.responseCode, 200);
  });
});

test.dante("http face: usingSocks5Proxy through dante, https verified end to end", async () => {
  await using tmp = await certDir("ohos_socks_");
  if (!tmp) return;
  const root = await makeCa(tmp.path, "root", { cn: "Socks Root CA" });
  const server = await makeCert(tmp.path, "server", root, {
    cn: "localhost",
    san: "DNS:localhost",
  });
  await using dante = await startDanted();
  await using secure = await startTlsServer({ cert: server.pem, key: server.key });
  if (!dante || !secure) return;
  using req = createHttp();
  const res = await req.request(`https://localhost:${secure.port}/`, {
    caPath: root.pem,
    usingSocks5Proxy: { host: "127.0.0.1", port: dante.port },
    ...(PENDING_SETTINGS.has("tls.pins") ? {} : {
      certificatePinning: { publicKeyHash: await spkiPin(server.pem), hashAlgorithm: "SHA-256" },
    }),
  });
  assert.equal(res.responseCode, 200);
  assert.match(String(res.result), /^sni=localhost /);
  assert.match(await dante.log(), /tcp\/connect/);
});

test.proxy("http face: TLS control through an HTTP proxy's CONNECT tunnel (tinyproxy)", async () => {
  await using tmp = await certDir("ohos_connect_");
  if (!tmp) return;
  const root = await makeCa(tmp.path, "root", { cn: "Tunnel Root CA" });
  const server = await makeCert(tmp.path, "server", root, {
    cn: "localhost",
    san: "DNS:localhost",
  });
  await using proxy = await startTinyproxy({ username: "ann", password: "tunnel" });
  await using secure = await startTlsServer({ cert: server.pem, key: server.key, max: "1.2" });
  if (!proxy || !secure) return;
  if (PENDING_SETTINGS.has("tls.pins")) return;
  using req = createHttp();
  const usingProxy = { host: "127.0.0.1", port: proxy.port, username: "ann", password: "tunnel" };
  const url = `https://localhost:${secure.port}/`;
  const res = await req.request(url, {
    caPath: root.pem,
    usingProxy,
    certificatePinning: { publicKeyHash: await spkiPin(server.pem), hashAlgorithm: "SHA-256" },
    tlsOptions: {
      tlsVersionMin: http.TlsVersion.TLS_V_1_2,
      tlsVersionMax: http.TlsVersion.TLS_V_1_2,
    },
  });
  assert.equal(res.responseCode, 200);
  assert.match(String(res.result), /^sni=localhost version=TLSv1\.2 /);
  assert.ok((await proxy.requests()).includes(`CONNECT localhost:${secure.port}`));
  const wrongPin = await failure(req.request(url, {
    caPath: root.pem,
    usingProxy,
    certificatePinning: { publicKeyHash: await spkiPin(root.pem), hashAlgorithm: "SHA-256" },
  }));
  assert.equal(wrongPin.code, 2300090);
});
