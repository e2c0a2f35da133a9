// Keep-alive on the socket-level engine: reuse counted by a connection-counting server,
// reuseConnections false, idle close, a pooled socket the server closed, process exit.

import assert from "node:assert/strict";
import { byteServer, text, wireRequest, wireTransport } from "./_wire_helpers.ts";
import { runDenoScript } from "./_helpers.ts";
import type { TransportOptions } from "../src/core/request.ts";

const OK = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok";

function options(extra: Partial<TransportOptions>): TransportOptions {
  return {
    caPath: null,
    clientCert: null,
    proxy: "direct",
    dns: null,
    exactConnectTimeout: false,
    ...extra,
  };
}

Deno.test("wire pool: sequential requests share one connection, facts say so", async () => {
  await using server = byteServer(() => OK);
  using transport = wireTransport();
  const facts = [];
  for (let i = 0; i < 5; i++) {
    const response = await transport.send(wireRequest(`${server.url}/${i}`));
    assert.equal(await text(response), "ok");
    facts.push(response.connection!);
  }
  assert.equal(server.connections, 1);
  assert.deepEqual(facts.map((f) => f.reused), [false, true, true, true, true]);
  assert.equal(facts[0].remotePort, server.port);
  assert.equal(facts[0].remoteAddress, "127.0.0.1");
  assert.equal(facts[0].protocol, "http/1.1");
  assert.ok(facts[0].localPort! > 0);
  assert.equal(facts[0].localPort, facts[4].localPort);
  assert.ok(facts[0].phases?.tcp, "a new connection reports its TCP phase");
  assert.equal(facts[1].phases, null);
});

Deno.test("wire pool: concurrent requests open connections in parallel and reuse them after", async () => {
  await using server = byteServer(() => OK);
  using transport = wireTransport();
  const burst = () =>
    Promise.all(Array.from({ length: 8 }, async () => {
      return await text(await transport.send(wireRequest(server.url)));
    }));
  await burst();
  const first = server.connections;
  assert.ok(first >= 2 && first <= 8, `${first} connections`);
  await burst();
  assert.equal(server.connections, first);
});

Deno.test("wire pool: reuseConnections false opens a new connection each time and closes it", async () => {
  await using server = byteServer(() => OK);
  using transport = wireTransport(options({ reuseConnections: false }));
  for (let i = 0; i < 3; i++) {
    const response = await transport.send(wireRequest(server.url));
    assert.equal(await text(response), "ok");
    assert.equal(response.connection?.reused, false);
  }
  assert.equal(server.connections, 3);
  assert.equal(transport.pool.size, 0);
  assert.match(server.heads[0], /\r\nconnection: close\r\n/i);
});

Deno.test("wire pool: a Connection: close response is not reused", async () => {
  await using server = byteServer(() =>
    "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"
  );
  using transport = wireTransport();
  for (let i = 0; i < 2; i++) {
    assert.equal(await text(await transport.send(wireRequest(server.url))), "ok");
  }
  assert.equal(server.connections, 2);
});

Deno.test("wire pool: an idle connection closes after idleConnectionTimeout", async () => {
  await using server = byteServer(() => OK);
  using transport = wireTransport(options({ idleConnectionTimeout: 50 }));
  assert.equal(await text(await transport.send(wireRequest(server.url))), "ok");
  assert.equal(transport.pool.size, 1);
  for (let i = 0; i < 100 && transport.pool.size > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(transport.pool.size, 0);
  assert.equal(await text(await transport.send(wireRequest(server.url))), "ok");
  assert.equal(server.connections, 2);
});

Deno.test("wire pool: a pooled connection the server closed is replaced for an idempotent request", async () => {
  // The server closes each connection after one response, without saying so.
  await using server = byteServer(() => OK, { closeAfter: true });
  using transport = wireTransport();
  for (let i = 0; i < 3; i++) {
    assert.equal(await text(await transport.send(wireRequest(server.url))), "ok");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(server.connections, 3);
});

Deno.test("wire pool: a stale connection is retried once even when the close is not yet seen", async () => {
  // The close races the reuse: the server answers nothing on the second request of a connection.
  await using server = byteServer((_head, index) => index % 2 === 1 ? null : OK);
  using transport = wireTransport();
  assert.equal(await text(await transport.send(wireRequest(server.url))), "ok");
  const second = await transport.send(wireRequest(server.url));
  assert.equal(await text(second), "ok");
  assert.equal(second.connection?.reused, false);
  assert.equal(server.connections, 2);
});

Deno.test("wire pool: a POST is not retried on a stale connection", async () => {
  await using server = byteServer((_head, index) => index === 1 ? null : OK);
  using transport = wireTransport();
  assert.equal(await text(await transport.send(wireRequest(server.url))), "ok");
  await assert.rejects(
    transport.send(wireRequest(server.url, { method: "POST" })),
    (error: Error & { code?: string }) => error.code === "EMPTY_REPLY",
  );
  assert.equal(server.connections, 1);
});

Deno.test("wire pool: a process that never closes anything exits by itself", async () => {
  await using server = byteServer(() => OK);
  const script = `
    import { Http1Transport } from ${
    JSON.stringify(new URL("../src/core/wire/http1_transport.ts", import.meta.url).href)
  };
    const transport = new Http1Transport({ options: undefined, connectTimeout: 0 });
    const response = await transport.send({ url: new URL(${
    JSON.stringify(server.url)
  }), method: "GET",
      headers: new Headers(), body: null, signal: new AbortController().signal });
    console.log(await new Response(response.body).text(), response.connection.reused);
  `;
  const output = await runDenoScript(script, ["-A"]);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(new TextDecoder().decode(output.stdout).trim(), "ok false");
});
