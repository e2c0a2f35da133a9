/**
 * Idle `AbortController`s for the faces' request objects, which often live
 * for one request (a new object per request, destroyed after). The core's
 * deadlines keep one listener on each caller signal they followed (see
 * `timeouts.ts`), so a controller taken from here again costs neither a new
 * controller nor a new listener: about 10k instructions per request.
 *
 * A controller goes back only unaborted, once none of its requests is in
 * flight; its owner must not touch it afterwards.
 *
 * @module
 */

/** Enough for the requests in flight of a busy process; more are simply dropped. */
const MAX_IDLE = 256;

const idle: AbortController[] = [];

/**
 * An unaborted controller whose signal nobody else uses now.
 *
 * @returns a controller, from the pool when one is idle
 *
 * @example Usage
 * ```ts
 * import { releaseController, takeController } from "./abort_pool.ts";
 * const controller = takeController();
 * releaseController(controller); // its requests are over
 * ```
 */
export function takeController(): AbortController {
  return idle.pop() ?? new AbortController();
}

/**
 * Gives `controller` back once none of its requests is in flight; an aborted
 * one is dropped.
 *
 * @param controller a controller from {@linkcode takeController}
 */
export function releaseController(controller: AbortController): void {
  if (!controller.signal.aborted && idle.length < MAX_IDLE) idle.push(controller);
}
