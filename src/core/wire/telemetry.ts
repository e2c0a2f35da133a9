/**
 * OpenTelemetry for the socket-level engine. With `OTEL_DENO=true` Deno
 * traces `fetch` itself; a request on this engine gets the same kind of span
 * (an HTTP client span named after the method, with the semantic-convention
 * attributes) and sends the same W3C `traceparent`, through
 * `@opentelemetry/api`, which Deno wires to its own tracer and propagator.
 * The module is loaded only when `OTEL_DENO` is set: untraced programs pay
 * one environment read per process.
 *
 * @module
 */

import type * as OtelApi from "@opentelemetry/api";

type Api = typeof OtelApi;

/** An open client span: its outgoing headers and how to end it. */
export interface ClientSpan {
  /** The request headers plus `traceparent` (and `tracestate` when there is one). */
  readonly headers: Headers;
  /** Records the response status. */
  status(code: number): void;
  /** Ends the span, as an error when `error` is given. */
  end(error?: unknown): void;
}

let enabled: boolean | undefined;
let loading: Promise<Api> | null = null;

/**
 * Whether requests are traced: `OTEL_DENO` is `true` (or `1`). Read once;
 * without env permission, tracing is off.
 *
 * @example
 * ```ts
 * import { tracingEnabled } from "./telemetry.ts";
 * if (tracingEnabled()) console.log("spans on");
 * ```
 */
export function tracingEnabled(): boolean {
  if (enabled === undefined) {
    try {
      const value = Deno.env.get("OTEL_DENO");
      enabled = value === "true" || value === "1";
    } catch {
      enabled = false;
    }
  }
  return enabled;
}

/**
 * Starts a client span for a request (call only when {@linkcode tracingEnabled}).
 *
 * @example
 * ```ts
 * import { startClientSpan, tracingEnabled } from "./telemetry.ts";
 * if (tracingEnabled()) {
 *   const span = await startClientSpan("GET", new URL("http://127.0.0.1/"), new Headers());
 *   span.status(200);
 *   span.end();
 * }
 * ```
 */
export async function startClientSpan(
  method: string,
  url: URL,
  headers: Headers,
): Promise<ClientSpan> {
  loading ??= import("@opentelemetry/api");
  const api = await loading;
  const tracer = api.trace.getTracer("@netstack/http");
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const span = tracer.startSpan(method, {
    kind: api.SpanKind.CLIENT,
    attributes: {
      "http.request.method": method,
      "url.full": redacted(url),
      "server.address": url.hostname,
      "server.port": port,
      "network.protocol.version": "1.1",
    },
  });
  const carrier: Record<string, string> = {};
  api.propagation.inject(api.trace.setSpan(api.context.active(), span), carrier);
  const traced = new Headers(headers);
  for (const [name, value] of Object.entries(carrier)) traced.set(name, value);
  let ended = false;
  return {
    headers: traced,
    status(code: number): void {
      span.setAttribute("http.response.status_code", code);
      if (code >= 400) span.setStatus({ code: api.SpanStatusCode.ERROR });
    },
    end(error?: unknown): void {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        const failure = error instanceof Error ? error : new Error(String(error));
        span.recordException(failure);
        span.setAttribute("error.type", (failure as { code?: string }).code ?? failure.name);
        span.setStatus({ code: api.SpanStatusCode.ERROR, message: failure.message });
      }
      span.end();
    },
  };
}

/** The URL without credentials, as a span may be exported anywhere. */
function redacted(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}
