// Name resolution on the socket-level path, with no loopback relay: the request's DNS servers
// (dnsmasq), a DNS-over-HTTPS endpoint (RFC 8484, a Deno.serve answering dns-message POSTs) and
// the address family, against servers on 127.0.0.1 and ::1.

import assert from "node:assert/strict";
import { DNSMASQ, makePki, startDnsmasq } from "./_transport_servers.ts";
import { text, wireRequest, wireTransport } from "./_wire_helpers.ts";
import { BASE_OPTIONS, connectorFailure, connectorGet } from "./_wire_servers.ts";
import { testWith } from "./_helpers.ts";
import { OPENSSL } from "./_tls.ts";

/** A DNS answer to `query` from `records` (A and AAAA), NXDOMAIN for unknown names. */
function dnsAnswer(query: Uint8Array, records: Record<string, string[]>): Uint8Array<ArrayBuffer> {
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
  const known = records[labels.join(".").toLowerCase()];
  const wanted = (known ?? []).filter((a) => (type === 1) === !a.includes(":"));
  const answers = wanted.map((address) => {
    const bytes = address.includes(":")
      ? [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] // ::1 is the only IPv6 used here
      : address.split(".").map(Number);
    return [0xc0, 12, 0, type, 0, 1, 0, 0, 0, 60, 0, bytes.length, ...bytes];
  }).flat();
  const out = new Uint8Array(questionEnd + answers.length);
  out.set(query.subarray(0, questionEnd));
  out.set(answers, questionEnd);
  const head = new DataView(out.buffer);
  head.setUint16(2, 0x8180 | (known ? 0 : 3));
  head.setUint16(6, wanted.length);
  head.setUint16(8, 0);
  head.setUint16(10, 0);
  return out;
}

/** Tests that start server binaries: ignored when one is missing, failed under CI=true. */
const test = {
  dns: testWith(DNSMASQ, OPENSSL),
};

test.dns("wire resolution: DNS servers, DNS over HTTPS and the address family without the relay", async (t) => {
  await using pki = await makePki();
  if (!pki) return;
  await using dnsmasq = await startDnsmasq(["app.test"]);
  if (!dnsmasq) return;
  const v4 = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (v4.addr as Deno.NetAddr).port;
  v4.close();
  const answer = (family: string) => () => new Response(family);
  await using _v4 = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, answer("v4"));
  await using _v6 = Deno.serve({ hostname: "::1", port, onListen() {} }, answer("v6"));
  await using secure = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    cert: await Deno.readTextFile(pki.serverPem),
    key: await Deno.readTextFile(pki.serverKey),
  }, () => new Response("secure"));
  const queries: string[] = [];
  await using doh = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen() {},
    cert: await Deno.readTextFile(pki.serverPem),
    key: await Deno.readTextFile(pki.serverKey),
  }, async (request) => {
    const query = new Uint8Array(await request.arrayBuffer());
    queries.push(request.headers.get("content-type") ?? "");
    return new Response(
      dnsAnswer(query, { "app.test": ["127.0.0.1"], "dual.test": ["127.0.0.1", "::1"] }),
      { headers: { "content-type": "application/dns-message" } },
    );
  });
  const servers = { servers: [{ address: "127.0.0.1", port: dnsmasq.port }] };
  const dohChoice = { dohUrl: new URL(`https://127.0.0.1:${doh.addr.port}/dns-query`) };

  await t.step(
    "DNS servers: app.test resolves through dnsmasq; TLS verifies app.test",
    async () => {
      const ok = await connectorGet({ hostname: "app.test", port, secure: false }, {
        dns: servers,
      });
      assert.equal(ok.body, "v4");
      assert.equal(ok.facts.remoteAddress, "127.0.0.1");
      assert.ok(ok.facts.phases?.dns !== null, "the lookup is a phase");
      const tls = await connectorGet(
        { hostname: "app.test", port: secure.addr.port, secure: true },
        {
          dns: servers,
          caPath: pki.caPem,
        },
      );
      assert.equal(tls.body, "secure");
      const missing = await connectorFailure({ hostname: "nowhere.test", port, secure: false }, {
        dns: servers,
      });
      assert.equal(missing.code, "HOST_UNRESOLVED");
      assert.match(missing.message, /nowhere\.test/);
    },
  );

  await t.step(
    "DNS servers through the engine: no relay, the answer names the connection",
    async () => {
      using transport = wireTransport({ ...BASE_OPTIONS, dns: servers });
      const response = await transport.send(wireRequest(`http://app.test:${port}/`));
      assert.equal(await text(response), "v4");
      assert.equal(response.connection?.remoteAddress, "127.0.0.1");
    },
  );

  await t.step("DNS over HTTPS (trusting the request's CA): app.test and dual.test", async () => {
    queries.length = 0;
    const ok = await connectorGet({ hostname: "app.test", port, secure: false }, {
      dns: dohChoice,
      caPath: pki.caPem,
    });
    assert.equal(ok.body, "v4");
    assert.ok(queries.length >= 1 && queries.every((q) => q === "application/dns-message"));
    const untrusted = await connectorFailure({ hostname: "app.test", port, secure: false }, {
      dns: dohChoice,
    });
    assert.equal(untrusted.code, "HOST_UNRESOLVED", "the DoH server's certificate is not trusted");
  });

  await t.step(
    "address family: 6 reaches ::1, 4 reaches 127.0.0.1, a missing family fails",
    async () => {
      const six = await connectorGet({ hostname: "dual.test", port, secure: false }, {
        dns: dohChoice,
        caPath: pki.caPem,
        addressFamily: 6,
      });
      assert.equal(six.body, "v6");
      assert.equal(six.facts.remoteAddress, "::1");
      const four = await connectorGet({ hostname: "dual.test", port, secure: false }, {
        dns: dohChoice,
        caPath: pki.caPem,
        addressFamily: 4,
      });
      assert.equal(four.body, "v4");
      const none = await connectorFailure({ hostname: "app.test", port, secure: false }, {
        dns: servers,
        addressFamily: 6,
      });
      assert.equal(none.code, "HOST_UNRESOLVED");
      assert.match(none.message, /IPv6/);
      // An IP literal of the other family is refused the same way.
      const literal = await connectorFailure({ hostname: "127.0.0.1", port, secure: false }, {
        tls: null,
        dns: servers,
        addressFamily: 6,
      });
      assert.equal(literal.code, "HOST_UNRESOLVED");
    },
  );
});
