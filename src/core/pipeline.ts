/**
 * The innermost layer of a stack: one exchange on the network. It asks the
 * router for the transport of the hop, applies the timeouts, reports the
 * response head, reads the body with per-chunk work only when an option
 * needs it, and classifies every failure once into a `NetError`.
 *
 * A redirect response (a 3xx with `Location` when the request follows
 * redirects) is a hop, not an answer: its head is reported with
 * `final: false` and its body discarded; the redirect layer above
 * (`redirects.ts`) decides where to go next.
 *
 * @module
 */

import { classifyError } from "./errors.ts";
import { framedLength } from "./framing.ts";
import { readBody } from "./read_body.ts";
import { isFollowedRedirect } from "./redirects.ts";
import type { CoreRequest, CoreResult, Dispatch, RequestEvents, ResponseHead } from "./request.ts";
import type { TransportRouter } from "./router.ts";
import { Deadline } from "./timeouts.ts";
import { TimingRecorder } from "./timing.ts";
import type { HeaderView, Transport, WireRequest, WireResponse } from "./transport.ts";

/** The dispatch that sends each request (one hop) through `router`. */
export function networkExchange(router: TransportRouter): Dispatch {
  return (request, events) => send(request, events, router);
}

/** One exchange under the request's deadline; every failure leaves it as one `NetError`. */
async function send(
  request: CoreRequest,
  events: RequestEvents,
  router: TransportRouter,
): Promise<CoreResult> {
  const deadline = new Deadline(request);
  try {
    // One async function for the whole exchange: a second one costs a promise per request.
    if (deadline.reason) throw deadline.reason;
    const recorder = new TimingRecorder(request.startTime);
    const { timing } = recorder;
    const url = request.url;
    const routing = router.route(request, url);
    const transport: Transport = routing instanceof Promise ? await routing : routing;
    if (router.enforcesConnectTimeout(transport)) deadline.releaseConnect();
    const body = request.body;
    const upload = body && (events.onUploadProgress || request.idleTimeout)
      ? uploadReporter(events, deadline)
      : undefined;
    const wire: WireRequest = upload
      ? {
        url,
        method: request.method,
        headers: request.headers,
        body,
        signal: deadline.signal,
        onUploadProgress: upload,
      }
      : { url, method: request.method, headers: request.headers, body, signal: deadline.signal };

    timing.firstSend = recorder.elapsed();
    const response: WireResponse = await transport.send(wire);
    timing.firstReceive = timing.headers = recorder.elapsed();
    const phases = response.connection?.phases;
    if (phases) {
      timing.dns = phases.dns === null ? null : recorder.elapsedAt(phases.dns);
      timing.tcp = phases.tcp === null ? null : recorder.elapsedAt(phases.tcp);
      timing.tls = phases.tls === null ? null : recorder.elapsedAt(phases.tls);
      // The request went out once its connection was up.
      timing.firstSend = Math.max(timing.firstSend, timing.tls ?? timing.tcp ?? 0);
    }
    if (body) events.onUploadProgress?.(body.size, body.size);
    const headers = asHeaders(response.headers);
    try {
      framedLength(headers);
    } catch (error) {
      await response.body?.cancel(); // the connection is not reused
      throw error;
    }
    const head: ResponseHead = {
      final: !isFollowedRedirect(request, response.status, headers),
      status: response.status,
      statusText: response.statusText,
      headers,
      url: url.href,
    };
    if (!head.final) {
      try {
        const reported = events.onHeaders?.(head);
        if (reported) await reported;
      } finally {
        await response.body?.cancel();
      }
      return { head, body: null, redirects: 0, timing, connection: response.connection };
    }
    deadline.headersArrived();
    deadline.touch();
    try {
      const reported = events.onHeaders?.(head);
      if (reported) await reported;
    } catch (error) {
      await response.body?.cancel();
      throw error;
    }
    const bytes = await readBody(response, headers, request, events, deadline);
    timing.finish = recorder.elapsed();
    timing.body = bytes.received > 0 ? timing.finish : 0;
    return { head, body: bytes.body, redirects: 0, timing, connection: response.connection };
  } catch (error) {
    throw deadline.reason ?? classifyError(error, "connect");
  } finally {
    deadline.clear();
  }
}

/** The head's headers as a `Headers` object: the layers and faces read them as one. */
function asHeaders(view: HeaderView): Headers {
  if (view instanceof Headers) return view;
  const headers = new Headers();
  view.forEach((value, name) => {
    if (name !== "set-cookie") headers.set(name, value);
  });
  for (const cookie of view.getSetCookie()) headers.append("set-cookie", cookie);
  return headers;
}

/**
 * Counts the body bytes the transport takes: each is progress for the idle
 * limit; reports them below the total (the total once the server has answered).
 */
function uploadReporter(
  events: RequestEvents,
  deadline: Deadline,
): (sent: number, total: number) => void {
  return (sent, total) => {
    deadline.touch();
    if (sent < total) events.onUploadProgress?.(sent, total);
  };
}
