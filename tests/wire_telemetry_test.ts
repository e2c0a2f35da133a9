// OpenTelemetry on the socket-level engine: a child process run with OTEL_DENO=true sends a
// request on the engine; an OTLP/HTTP receiver here gets its HTTP client span, and the server
// sees the W3C traceparent of that span.

import assert from "node:assert/strict";
import { runDenoScript, serve } from "./_helpers.ts";

interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

Deno.test("wire telemetry: an HTTP client span and a traceparent with OTEL_DENO=true", async () => {
  const spans: OtlpSpan[] = [];
  await using receiver = serve(async (request) => {
    if (new URL(request.url).pathname === "/v1/traces") {
      const body = await request.json();
      for (const resource of body.resourceSpans ?? []) {
        for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      }
    } else await request.body?.cancel();
    return new Response("{}", { headers: { "content-type": "application/json" } });
  });
  let traceparent: string | null = null;
  await using target = serve((request) => {
    traceparent = request.headers.get("traceparent");
    return new Response("traced");
  });
  const script = `
    import { Http1Transport } from ${
    JSON.stringify(new URL("../src/core/wire/http1_transport.ts", import.meta.url).href)
  };
    const transport = new Http1Transport({ options: undefined, connectTimeout: 0 });
    const response = await transport.send({ url: new URL(${
    JSON.stringify(`${target.url}/path?q=1`)
  }), method: "GET",
      headers: new Headers(), body: null, signal: new AbortController().signal });
    console.log(await new Response(response.body).text());
  `;
  const output = await runDenoScript(
    script,
    ["-A", "--config", new URL("../deno.json", import.meta.url).pathname],
    {
      OTEL_DENO: "true",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_SERVICE_NAME: "wire-test",
    },
  );
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(new TextDecoder().decode(output.stdout).trim(), "traced");
  // Deno exports the spans at exit; the receiver has them by the time the child is gone.
  const span = spans.find((s) =>
    s.attributes.some((a) => a.key === "url.full" && String(a.value.stringValue).includes("/path"))
  );
  assert.ok(span, `no engine span among ${JSON.stringify(spans.map((s) => s.name))}`);
  assert.equal(span.name, "GET");
  assert.equal(span.kind, 3); // SPAN_KIND_CLIENT
  const status = span.attributes.find((a) => a.key === "http.response.status_code");
  assert.equal(Number(status?.value.intValue ?? status?.value.doubleValue), 200);
  assert.match(traceparent ?? "", /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  const [, traceId, spanId] = traceparent!.split("-");
  assert.equal(traceId, span.traceId);
  assert.equal(spanId, span.spanId);
});
