// caPath, clientCert (PEM, DER, encrypted PEM, P12 with RSA and EC keys) and
// usingProtocol against nginx with a throwaway CA made by openssl: one server
// block with `ssl_verify_client on`, and `listen … http2` blocks whose access
// log records `$server_protocol`.

import assert from "node:assert/strict";
import http from "../ohos.ts";

type BusinessError = http.BusinessError;
type HttpRequestOptions = http.HttpRequestOptions;
import { makePki, NGINX, startNginx } from "./_transport_servers.ts";
import { createHttp, failure, testWith } from "./_helpers.ts";
import { OPENSSL } from "./_tls.ts";

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  nginx: testWith(NGINX, OPENSSL),
};

test.nginx("transport TLS: caPath, client certificates and protocols against nginx", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  await using nginx = await startNginx(pki);
  if (!nginx) return;
  const tlsUrl = `https://127.0.0.1:${nginx.tlsPort}/`;
  const mtlsUrl = `https://localhost:${nginx.mtlsPort}/`;
  const text = (result: unknown) => String(result).trim();

  await t.step("without caPath the throwaway CA is not trusted: 2300060", async () => {
    using req = createHttp();
    const err = await failure(req.request(tlsUrl));
    assert.equal(err.code, 2300060, err.message);
  });

  await t.step(
    "caPath as a file and as a directory: trusted in addition to the roots",
    async () => {
      using req = createHttp();
      const res = await req.request(tlsUrl, { caPath: pki.caPem });
      assert.equal(res.responseCode, 200);
      assert.equal(text(res.result), "tls HTTP/2.0");
      const caDir = await Deno.makeTempDir({ dir: pki.dir });
      await Deno.copyFile(pki.caPem, `${caDir}/ca.pem`);
      await Deno.writeTextFile(`${caDir}/README`, "not a certificate, skipped\n");
      const fromDir = await req.request(tlsUrl, { caPath: caDir });
      assert.equal(fromDir.responseCode, 200);
    },
  );

  await t.step("caPath of the wrong CA: 2300060", async () => {
    using req = createHttp();
    const err = await failure(req.request(tlsUrl, { caPath: pki.otherCaPem }));
    assert.equal(err.code, 2300060, err.message);
  });

  await t.step(
    "caPath malformed or without certificates: 2300077; a missing one is ignored",
    async () => {
      using req = createHttp();
      const bad = `${pki.dir}/bad.pem`;
      await Deno.writeTextFile(
        bad,
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
      );
      const empty = `${pki.dir}/empty.pem`;
      await Deno.writeTextFile(empty, "nothing here\n");
      for (
        const [caPath, pattern] of [
          [bad, /bad\.pem #1 is malformed/],
          [empty, /holds no PEM certificate/],
        ] as const
      ) {
        const err = await failure(req.request(tlsUrl, { caPath }));
        assert.equal(err.code, 2300077, err.message);
        assert.match(err.message, pattern);
      }
      // As in OpenHarmony (XTS HttpRequestOptions 4700-5000): a caPath that does not exist is
      // ignored, so only the default roots are trusted and this server's CA is not among them.
      const missing = await failure(req.request(tlsUrl, { caPath: `${pki.dir}/missing.pem` }));
      assert.equal(missing.code, 2300060, missing.message);
    },
  );

  await t.step("ssl_verify_client on: no certificate is refused by nginx (400)", async () => {
    using req = createHttp();
    const res = await req.request(mtlsUrl, { caPath: pki.caPem });
    assert.equal(res.responseCode, 400);
    assert.match(text(res.result), /No required SSL certificate was sent/);
  });

  const forms: Array<[string, NonNullable<HttpRequestOptions["clientCert"]>, string]> = [
    ["RSA PEM", { certPath: pki.rsa.pem, keyPath: pki.rsa.key }, "CN=rsa-client"],
    [
      "EC PEM",
      { certPath: pki.ec.pem, keyPath: pki.ec.key, certType: http.CertType.PEM },
      "CN=ec-client",
    ],
    ["RSA DER (certificate and key)", {
      certPath: pki.rsa.der,
      keyPath: pki.rsa.keyDer,
      certType: http.CertType.DER,
    }, "CN=rsa-client"],
    ["EC DER certificate, PEM key", {
      certPath: pki.ec.der,
      keyPath: pki.ec.key,
      certType: http.CertType.DER,
    }, "CN=ec-client"],
    ["RSA encrypted PKCS#8 + keyPassword", {
      certPath: pki.rsa.pem,
      keyPath: pki.rsa.encryptedKey,
      keyPassword: pki.password,
    }, "CN=rsa-client"],
    ["EC encrypted PKCS#8 + keyPassword", {
      certPath: pki.ec.pem,
      keyPath: pki.ec.encryptedKey,
      keyPassword: pki.password,
    }, "CN=ec-client"],
    ["RSA P12", {
      certPath: pki.rsa.p12,
      keyPath: "",
      certType: http.CertType.P12,
      keyPassword: pki.password,
    }, "CN=rsa-client"],
    ["EC P12", {
      certPath: pki.ec.p12,
      keyPath: "",
      certType: http.CertType.P12,
      keyPassword: pki.password,
    }, "CN=ec-client"],
  ];
  for (const [name, clientCert, dn] of forms) {
    await t.step(`client certificate ${name}: nginx verifies it`, async () => {
      using req = createHttp();
      const res = await req.request(mtlsUrl, { caPath: pki.caPem, clientCert });
      assert.equal(res.responseCode, 200, String(res.result));
      assert.equal(text(res.result), `mtls HTTP/2.0 ${dn}`);
    });
  }

  await t.step("key inside the certificate file when keyPath is empty", async () => {
    const both = `${pki.dir}/both.pem`;
    await Deno.writeTextFile(
      both,
      (await Deno.readTextFile(pki.rsa.pem)) + (await Deno.readTextFile(pki.rsa.key)),
    );
    using req = createHttp();
    const res = await req.request(mtlsUrl, {
      caPath: pki.caPem,
      clientCert: { certPath: both, keyPath: "" },
    });
    assert.equal(text(res.result), "mtls HTTP/2.0 CN=rsa-client");
  });

  await t.step("a certificate from another CA is refused by nginx (400)", async () => {
    using req = createHttp();
    const res = await req.request(mtlsUrl, {
      caPath: pki.caPem,
      clientCert: { certPath: pki.strangerPem, keyPath: pki.strangerKey },
    });
    assert.equal(res.responseCode, 400);
  });

  await t.step("wrong password, unreadable or mismatched files: 2300058", async () => {
    using req = createHttp();
    const cases: Array<[NonNullable<HttpRequestOptions["clientCert"]>, RegExp]> = [
      [
        { certPath: pki.rsa.p12, keyPath: "", certType: http.CertType.P12, keyPassword: "wrong" },
        /PKCS#12.*(?:MAC could not be verified|Invalid password)/i,
      ],
      [
        { certPath: pki.rsa.pem, keyPath: pki.rsa.encryptedKey, keyPassword: "wrong" },
        /wrong keyPassword/,
      ],
      [
        { certPath: pki.rsa.pem, keyPath: pki.rsa.encryptedKey },
        /the key is encrypted: set keyPassword/,
      ],
      [{ certPath: `${pki.dir}/none.pem`, keyPath: pki.rsa.key }, /cannot be read/],
      [{ certPath: pki.rsa.pem, keyPath: `${pki.dir}/none.key` }, /cannot be read/],
      [{ certPath: pki.rsa.key, keyPath: pki.rsa.key }, /holds no PEM certificate/],
      [{ certPath: pki.rsa.pem, keyPath: pki.ec.key }, /createHttpClient refused/],
      [
        { certPath: pki.rsa.pem, keyPath: pki.rsa.key, certType: http.CertType.DER },
        /is not a DER certificate/,
      ],
    ];
    for (const [clientCert, pattern] of cases) {
      const err = await failure(
        req.request(mtlsUrl, { caPath: pki.caPem, clientCert }),
        JSON.stringify(clientCert),
      );
      assert.equal(err.code, 2300058, err.message);
      assert.match(err.message, pattern);
    }
  });

  await t.step("usingProtocol: nginx logs the protocol each request used", async () => {
    using req = createHttp();
    const base = { caPath: pki.caPem };
    const cases: Array<[string, HttpRequestOptions, string]> = [
      [tlsUrl + "auto", base, "HTTP/2.0"],
      [tlsUrl + "h1", { ...base, usingProtocol: http.HttpProtocol.HTTP1_1 }, "HTTP/1.1"],
      [tlsUrl + "h2", { ...base, usingProtocol: http.HttpProtocol.HTTP2 }, "HTTP/2.0"],
      [tlsUrl + "h3", { ...base, usingProtocol: http.HttpProtocol.HTTP3 }, "HTTP/2.0"],
      [`http://127.0.0.1:${nginx.httpPort}/plain`, {}, "HTTP/1.1"],
      [
        `http://127.0.0.1:${nginx.httpPort}/plain-h1`,
        { usingProtocol: http.HttpProtocol.HTTP1_1 },
        "HTTP/1.1",
      ],
      [
        `http://127.0.0.1:${nginx.h2cPort}/h2c`,
        { usingProtocol: http.HttpProtocol.HTTP2 },
        "HTTP/2.0",
      ],
    ];
    for (const [url, options, protocol] of cases) {
      const res = await req.request(url, options);
      assert.equal(res.responseCode, 200, url);
      assert.match(text(res.result), new RegExp(` ${protocol.replace(".", "\\.")}$`), url);
    }
    const log = await nginx.log();
    for (const [url, , protocol] of cases) {
      const path = new URL(url).pathname;
      assert.match(
        log,
        new RegExp(
          `^\\d+ ${protocol.replace(".", "\\.")} \\S+ "[^"]*" GET ${path} 200 c\\d+$`,
          "m",
        ),
      );
    }
  });

  await t.step("requests with the same settings share one client and its connection", async () => {
    using req = createHttp();
    const options = {
      caPath: pki.caPem,
      clientCert: {
        certPath: pki.ec.p12,
        keyPath: "",
        certType: http.CertType.P12,
        keyPassword: pki.password,
      },
    };
    for (let i = 0; i < 3; i++) {
      const res: http.HttpResponse = await req.request(`${mtlsUrl}reuse`, options);
      assert.equal(res.responseCode, 200);
    }
    const other = await req.request(`${mtlsUrl}reuse-other`, {
      ...options,
      usingProtocol: http.HttpProtocol.HTTP1_1,
    });
    assert.equal(other.responseCode, 200);
    const log = await nginx.log();
    const connection = (path: string) =>
      [...log.matchAll(new RegExp(`GET /${path} 200 (c\\d+)$`, "gm"))].map((m) => m[1]);
    const same = connection("reuse");
    assert.equal(same.length, 3);
    assert.equal(new Set(same).size, 1, `one connection for one configuration: ${same}`);
    assert.notEqual(connection("reuse-other")[0], same[0], "another configuration, another client");
  });
});
