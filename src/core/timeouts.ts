/**
 * The timers of one exchange over one `AbortController`: a total limit, a
 * limit on reaching the response head, and the caller's own signal. The
 * reason the exchange was cut is kept, so failures are classified once.
 *
 * @module
 */

import { NetError } from "./errors.ts";

/** Aborts an exchange when a limit passes or the caller cancels it. */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal | null;
  #total: ReturnType<typeof setTimeout> | undefined;
  #connect: ReturnType<typeof setTimeout> | undefined;
  /** Why the exchange was cut, once it was. */
  reason: NetError | null = null;

  /**
   * @param totalMs limit on the whole exchange, 0 for none
   * @param connectMs limit on reaching the response head, 0 for none
   * @param signal the caller's cancellation
   */
  constructor(totalMs: number, connectMs: number, signal: AbortSignal | null) {
    this.#signal = signal;
    if (totalMs > 0) {
      this.#total = setTimeout(
        () => this.#cut(new NetError("TIMEOUT", `no complete response within ${totalMs} ms`)),
        totalMs,
      );
    }
    if (connectMs > 0 && (totalMs === 0 || connectMs < totalMs)) {
      this.#connect = setTimeout(
        () => this.#cut(new NetError("TIMEOUT", `no response head within ${connectMs} ms`)),
        connectMs,
      );
    }
    if (signal) {
      if (signal.aborted) this.#cutBy(signal);
      else signal.addEventListener("abort", this.#onAbort);
    }
  }

  /** The signal to hand `fetch`. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The response head arrived: the connect limit no longer applies. */
  headersArrived(): void {
    clearTimeout(this.#connect);
  }

  /** Stops every timer and listener; call once the exchange is over. */
  clear(): void {
    clearTimeout(this.#total);
    clearTimeout(this.#connect);
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  readonly #onAbort = (): void => this.#cutBy(this.#signal!);

  #cutBy(signal: AbortSignal): void {
    const reason = signal.reason;
    this.#cut(reason instanceof NetError ? reason : new NetError("ABORTED", String(reason)));
  }

  #cut(reason: NetError): void {
    if (this.reason) return;
    this.reason = reason;
    this.clear();
    this.#controller.abort(reason);
  }
}
