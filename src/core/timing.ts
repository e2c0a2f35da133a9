/**
 * Timing of one exchange, measured with `performance.now()` from the moment
 * the caller started the request. Every mark is cumulative (like libcurl's
 * `*_TIME_T`), in milliseconds with microsecond precision.
 *
 * The DNS, TCP and TLS phases are `null` unless the loopback relay carried a
 * new connection for the request (`fetch` does not expose them); the faces
 * document how they report them.
 *
 * @module
 */

/** Cumulative marks in ms since the start; `null` when not measured. */
export interface Timing {
  /** DNS lookup done; measured only by the relay. */
  dns: number | null;
  /** TCP connected; measured only by the relay. */
  tcp: number | null;
  /** TLS handshake done (the client's answer to the server's flight); measured only by the relay. */
  tls: number | null;
  /** The final request was handed to the network stack (`fetch` called). */
  firstSend: number;
  /** The final response head arrived (first byte is at or before this). */
  firstReceive: number;
  /** The final response head was parsed. */
  headers: number;
  /** The last body byte arrived; 0 when there was no body. */
  body: number;
  /** The exchange was complete. */
  finish: number;
  /** Time spent in redirect hops before the final request; 0 without redirects. */
  redirect: number;
  /** Served from a cache without touching the network. */
  fromCache: boolean;
}

/** Records marks relative to a start time. */
export class TimingRecorder {
  readonly #start: number;
  readonly timing: Timing = {
    dns: null,
    tcp: null,
    tls: null,
    firstSend: 0,
    firstReceive: 0,
    headers: 0,
    body: 0,
    finish: 0,
    redirect: 0,
    fromCache: false,
  };

  /** @param start `performance.now()` when the caller started the request */
  constructor(start: number = performance.now()) {
    this.#start = start;
  }

  /** Milliseconds since the start. */
  elapsed(): number {
    return this.elapsedAt(performance.now());
  }

  /** Milliseconds from the start to `time`, a `performance.now()` value. */
  elapsedAt(time: number): number {
    return Math.round((time - this.#start) * 1000) / 1000;
  }
}
