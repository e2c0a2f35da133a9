// dnsServers against dnsmasq on a loopback port and dnsOverHttps against a
// small RFC 8484 server (Deno.serve with TLS) in this file, both answering the
// made-up name app.test with 127.0.0.1. The name is only ever asked of these
// two: the library's loopback relay resolves it, and TLS still verifies
// app.test. No request reaches the machine's own DNS server.

import assert from "node:assert/strict";
import { decodeAnswer, encodeQuery, RecordType } from "../src/core/dns_message.ts";
import { closeIdleConnections } from "../src/core/wire/http1_transport.ts";
import type http from "../ohos.ts";
import { closedPort, createHttp, failure, onEngine, testWith } from "./_helpers.ts";
import { DNSMASQ, makePki, startDnsmasq, startTinyproxy, TINYPROXY } from "./_transport_servers.ts";
import { OPENSSL } from "./_tls.ts";

type BusinessError = http.BusinessError;

/** A DNS answer for a query: `records` maps names to IPv4 addresses; others get NXDOMAIN. */
function dnsAnswer(query: Uint8Array, records: Record<string, string>): Uint8Array<ArrayBuffer> {
  const view = new DataView(query.buffer, query.byteOffset, query.byteLength);
  const labels: string[] = [];
  let offset = 12;
  while (query[offset] !== 0) {
    const length = query[offset]!;
    labels.push(new TextDecoder().decode(query.subarray(offset + 1, offset + 1 + length)));
    offset += 1 + length;
  }
  const questionEnd = offset + 5;
  const type = view.getUint16(offset + 1);
  const address = records[labels.join(".").toLowerCase()];
  const answer = address && type === 1
    ? [0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...address.split(".").map(Number)]
    : [];
  const out = new Uint8Array(questionEnd + answer.length);
  out.set(query.subarray(0, questionEnd));
  out.set(answer, questionEnd);
  const head = new DataView(out.buffer);
  head.setUint16(2, 0x8180 | (address ? 0 : 3)); // QR, RD, RA; NXDOMAIN when unknown
  head.setUint16(6, answer.length > 0 ? 1 : 0);
  head.setUint16(8, 0);
  head.setUint16(10, 0);
  return out;
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  dns: testWith(DNSMASQ, OPENSSL, TINYPROXY),
};

test.dns("transport DNS: dnsServers (dnsmasq) and dnsOverHttps (RFC 8484) resolve app.test", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  await using dnsmasq = await startDnsmasq(["app.test", "proxy.test"]);
  if (!dnsmasq) return;
  await using tinyproxy = await startTinyproxy();
  if (!tinyproxy) return;
  const tls = {
    cert: await Deno.readTextFile(pki.serverPem),
    key: await Deno.readTextFile(pki.serverKey),
  };
  const hosts: string[] = [];
  await using plain = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    hosts.push(new URL(request.url).host);
    return new Response("plain");
  });
  await using secure = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...tls },
    (request) => {
      hosts.push(new URL(request.url).host);
      return new Response("secure");
    },
  );
  const dohQueries: string[] = [];
  let hungQueryCut = false;
  await using doh = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {}, ...tls },
    async (request) => {
      const path = new URL(request.url).pathname;
      if (path === "/broken") return new Response("down", { status: 503 });
      if (path === "/hang") {
        // A body that never ends; its cancel proves the lookup's signal reached the DoH exchange.
        return new Response(new ReadableStream({ cancel: () => void (hungQueryCut = true) }));
      }
      if (
        request.method !== "POST" ||
        request.headers.get("content-type") !== "application/dns-message"
      ) {
        return new Response("bad request", { status: 400 });
      }
      const query = new Uint8Array(await request.arrayBuffer());
      dohQueries.push(`${new URL(request.url).pathname} ${query.length}`);
      return new Response(dnsAnswer(query, { "app.test": "127.0.0.1" }), {
        headers: { "content-type": "application/dns-message" },
      });
    },
  );
  const dnsServers = [`127.0.0.1:${dnsmasq.port}`];
  const dnsOverHttps = `https://127.0.0.1:${doh.addr.port}/dns-query`;
  const plainUrl = `http://app.test:${plain.addr.port}/`;
  const secureUrl = `https://app.test:${secure.addr.port}/`;

  await t.step("dnsServers: http and https to app.test; TLS verifies app.test", async () => {
    using req = createHttp();
    hosts.length = 0;
    const a = await req.request(plainUrl, { dnsServers });
    assert.equal(a.result, "plain");
    const b = await req.request(secureUrl, { dnsServers, caPath: pki.caPem });
    assert.equal(b.result, "secure");
    assert.deepEqual(hosts, [`app.test:${plain.addr.port}`, `app.test:${secure.addr.port}`]);
    assert.match(await dnsmasq.log(), /query\[A\] app\.test from 127\.0\.0\.1/);
    assert.match(
      await dnsmasq.log(),
      /(?:config|\/etc\/hosts|host-record) app\.test is 127\.0\.0\.1/,
    );
  });

  await t.step("dnsServers: real dns, tcp and tls timings (relay and engine)", async () => {
    using req = createHttp();
    // An extra CA keeps https on fetch, through the relay for its resolvers.
    const res = await req.request(secureUrl, { dnsServers, caPath: pki.caPem });
    const timing = res.performanceTiming;
    assert.ok(timing.dnsTiming > 0, JSON.stringify(timing));
    assert.ok(timing.tcpTiming >= timing.dnsTiming, JSON.stringify(timing));
    assert.ok(timing.tlsTiming >= timing.tcpTiming, JSON.stringify(timing));
    assert.ok(timing.firstReceiveTiming >= timing.tlsTiming, JSON.stringify(timing));
    // Plain http is on the engine: a new connection has its phases, a reused one none.
    using _engine = onEngine();
    closeIdleConnections();
    const plainRes = await req.request(plainUrl, { dnsServers });
    const plain = plainRes.performanceTiming;
    assert.equal(plainRes.connectionExtraInfo?.isReusedConnection, false);
    assert.ok(plain.dnsTiming > 0, JSON.stringify(plain));
    assert.ok(plain.tcpTiming >= plain.dnsTiming, JSON.stringify(plain));
    assert.equal(plain.tlsTiming, 0, "no TLS on plain http");
    const again = await req.request(plainUrl, { dnsServers });
    assert.equal(again.connectionExtraInfo?.isReusedConnection, true);
    assert.equal(again.performanceTiming.tcpTiming, 0, "a reused connection has no TCP phase");
  });

  await t.step(
    "dnsServers: entries that are not IP addresses are skipped, three kept",
    async () => {
      using req = createHttp();
      const res = await req.request(plainUrl, {
        dnsServers: ["dns.example", "not an address", ...dnsServers, "127.0.0.1:1", "127.0.0.1:2"],
      });
      assert.equal(res.result, "plain");
    },
  );

  await t.step("dnsServers: a name they cannot answer: 2300006", async () => {
    using req = createHttp();
    const err = await failure(
      req.request(`http://missing.test:${plain.addr.port}/`, { dnsServers }),
    );
    assert.equal(err.code, 2300006, err.message);
    assert.match(
      err.message,
      /'missing\.test' has no address \(asked DNS servers 127\.0\.0\.1:\d+/,
    );
  });

  await t.step("dnsOverHttps: http and https to app.test through an RFC 8484 server", async () => {
    using req = createHttp();
    hosts.length = 0;
    dohQueries.length = 0;
    const a = await req.request(plainUrl, { dnsOverHttps, caPath: pki.caPem });
    assert.equal(a.result, "plain");
    const b = await req.request(secureUrl, { dnsOverHttps, caPath: pki.caPem });
    assert.equal(b.result, "secure");
    assert.ok(b.performanceTiming.dnsTiming > 0);
    assert.deepEqual(hosts, [`app.test:${plain.addr.port}`, `app.test:${secure.addr.port}`]);
    assert.ok(dohQueries.length >= 2 && dohQueries.every((q) => q.startsWith("/dns-query ")));
  });

  await t.step("dnsOverHttps: NXDOMAIN gives 2300006", async () => {
    using req = createHttp();
    const err = await failure(
      req.request(`https://nowhere.test:${secure.addr.port}/`, { dnsOverHttps, caPath: pki.caPem }),
    );
    assert.equal(err.code, 2300006, err.message);
    assert.match(err.message, /'nowhere\.test' has no address \(asked DNS over HTTPS/);
  });

  await t.step("dnsOverHttps: the query trusts caPath; without it: 2300006", async () => {
    using req = createHttp();
    dohQueries.length = 0;
    const err = await failure(req.request(plainUrl, { dnsOverHttps }));
    assert.equal(err.code, 2300006, err.message);
    assert.match(err.message, /'app\.test' has no address \(asked DNS over HTTPS https:\/\/127/);
    assert.equal(dohQueries.length, 0, "the self-signed DoH server is not trusted");
  });

  await t.step("dnsOverHttps: a DoH server answering 503 gives 2300006", async () => {
    using req = createHttp();
    const broken = `https://127.0.0.1:${doh.addr.port}/broken`;
    const err = await failure(req.request(plainUrl, { dnsOverHttps: broken, caPath: pki.caPem }));
    assert.equal(err.code, 2300006, err.message);
    assert.match(
      err.message,
      /'app\.test' has no address \(asked DNS over HTTPS https:\/\/127\.0\.0\.1:\d+\/broken: HTTP 503/,
    );
  });

  await t.step("dnsOverHttps: connectTimeout cuts a DoH server that never answers", async () => {
    using req = createHttp();
    const hang = `https://127.0.0.1:${doh.addr.port}/hang`;
    const err = await failure(
      req.request(plainUrl, { dnsOverHttps: hang, caPath: pki.caPem, connectTimeout: 300 }),
    );
    assert.equal(err.code, 2300028, err.message);
    for (let waited = 0; !hungQueryCut && waited < 2000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(hungQueryCut, "the DoH query was cut with the lookup");
  });

  await t.step("dnsOverHttps wins over dnsServers (as in libcurl)", async () => {
    using req = createHttp();
    dohQueries.length = 0;
    const res = await req.request(plainUrl, {
      dnsOverHttps,
      dnsServers: [`127.0.0.1:${closedPort()}`],
      caPath: pki.caPem,
    });
    assert.equal(res.result, "plain");
    assert.ok(dohQueries.length > 0);
  });

  await t.step(
    "a proxy named through dnsServers: resolved there; unknown name gives 2300005",
    async () => {
      using req = createHttp();
      const res = await req.request(`http://127.0.0.1:${plain.addr.port}/via-named-proxy`, {
        dnsServers,
        usingProxy: { host: "proxy.test", port: tinyproxy.port },
      });
      assert.equal(res.result, "plain");
      assert.ok(
        (await tinyproxy.requests()).includes(
          `GET http://127.0.0.1:${plain.addr.port}/via-named-proxy`,
        ),
      );
      const err = await failure(
        req.request(plainUrl, {
          dnsServers,
          usingProxy: { host: "noproxy.test", port: tinyproxy.port },
        }),
      );
      assert.equal(err.code, 2300005, err.message);
      assert.match(err.message, /proxy noproxy\.test:\d+/);
    },
  );

  await t.step("bad values: dnsOverHttps not https, dnsServers not strings: 401", async () => {
    using req = createHttp();
    for (
      const [options, field] of [
        [{ dnsOverHttps: "http://127.0.0.1/dns-query" }, "dnsOverHttps"],
        [{ dnsOverHttps: 5 }, "dnsOverHttps"],
        [{ dnsServers: [53] }, "dnsServers"],
        [{ dnsServers: "127.0.0.1" }, "dnsServers"],
      ] as const
    ) {
      const err = await failure(req.request(plainUrl, options as http.HttpRequestOptions));
      assert.equal(err.code, 401);
      assert.match(err.message, new RegExp(`'${field}'`));
    }
  });
});

Deno.test("transport DNS: the wire format of queries and answers (A, AAAA, compressed names)", () => {
  const query = encodeQuery("App.Test", RecordType.AAAA, 0x1234);
  assert.deepEqual(
    [...query],
    [
      0x12,
      0x34,
      1,
      0,
      0,
      1,
      0,
      0,
      0,
      0,
      0,
      0,
      3,
      ..."App".split("").map((c) => c.charCodeAt(0)),
      4,
      ..."Test".split("").map((c) => c.charCodeAt(0)),
      0,
      0,
      28,
      0,
      1,
    ],
  );
  // An answer: a CNAME to a compressed name, then two AAAA records and an A record.
  const answer = new Uint8Array([
    ...[0x12, 0x34, 0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 0],
    ...query.subarray(12),
    ...[0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12],
    ...[
      0xc0,
      12,
      0,
      28,
      0,
      1,
      0,
      0,
      0,
      60,
      0,
      16,
      0xfd,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1,
    ],
    ...[0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 60, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
    ...[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 7],
  ]);
  assert.deepEqual(decodeAnswer(answer, RecordType.AAAA), {
    rcode: 0,
    addresses: ["fd00:0:0:0:0:0:0:1", "0:0:0:0:0:0:0:1"],
  });
  assert.deepEqual(decodeAnswer(answer, RecordType.A).addresses, ["10.0.0.7"]);
  const nxdomain = answer.slice(0, 12 + query.length - 12);
  nxdomain[3] = 0x83;
  nxdomain[7] = 0;
  assert.deepEqual(decodeAnswer(nxdomain, RecordType.A), { rcode: 3, addresses: [] });
  assert.throws(() => decodeAnswer(answer.subarray(0, 40), RecordType.A), RangeError);
  assert.throws(() => encodeQuery("bad..name", RecordType.A), RangeError);
});
