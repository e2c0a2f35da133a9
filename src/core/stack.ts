/**
 * The stack builder: the only way a face or the CLI gets a dispatch. From
 * one {@linkcode StackSettings} object it composes, outermost first:
 *
 * ```text
 * [request hooks] → redirects → retries → [hop hooks] → cache → scheduler
 *   → [network hooks] → auth → cookies → network exchange → transport router
 * ```
 *
 * Redirects sit above the cache so each hop is looked up and stored under
 * its own URL (a redirected final response is cacheable); the cache sits
 * above the scheduler so hits never queue; cookies sit below both, per hop
 * that reaches the network. The hook lists are where interceptors, auth
 * challenges and retries slot in. See `docs/architecture.md`.
 *
 * @module
 */

import { cacheLayer, type StoreSource } from "../cache/cache_layer.ts";
import { authLayer } from "./auth_layer.ts";
import { cookieLayer } from "./cookie_layer.ts";
import { networkExchange } from "./pipeline.ts";
import { redirectLayer } from "./redirects.ts";
import { retryLayer } from "./retry.ts";
import type { Dispatch, Layer } from "./request.ts";
import { TransportRouter } from "./router.ts";
import { type Scheduler, scheduler as sharedScheduler } from "./scheduler.ts";

/** Layers added at the stack's hook points; each list runs outermost first. */
export interface StackHooks {
  /** Around the whole request, once, above the redirects (first request, final response). */
  readonly request?: readonly Layer[];
  /** Around each hop of a redirect chain, above the cache (redirections, cache reads). */
  readonly hop?: readonly Layer[];
  /** Around each exchange that goes to the network, below cache and scheduler (connect, auth, retries). */
  readonly network?: readonly Layer[];
}

/** Everything a stack is built from. */
export interface StackSettings {
  /** Where the cache layer gets its store; absent: the process-wide cache; `null`: no cache layer. */
  readonly cache?: StoreSource | null;
  /** The scheduler; absent: the one both faces share; `null`: none. */
  readonly scheduler?: Scheduler | null;
  /** Layers at the hook points. */
  readonly hooks?: StackHooks;
}

/** A built stack: its dispatch and the transports it owns. */
export class Stack {
  /** Sends a request through every layer. */
  readonly dispatch: Dispatch;
  /** Picks and owns the transports. */
  readonly router: TransportRouter;
  #holders = 0;

  /** @param settings what to build (see {@linkcode buildStack}) */
  constructor(settings: StackSettings = {}) {
    this.router = new TransportRouter();
    const hooks = settings.hooks ?? {};
    const scheduler = settings.scheduler === undefined ? sharedScheduler : settings.scheduler;
    const layers: Layer[] = [
      ...hooks.request ?? [],
      redirectLayer,
      retryLayer, // per hop, above the cache: a wait between attempts holds no scheduler slot
      ...hooks.hop ?? [],
      ...settings.cache === null ? [] : [cacheLayer(settings.cache)],
      ...scheduler ? [scheduler.layer] : [],
      ...hooks.network ?? [],
      // Per hop that reaches the network; free for requests without `authentication`.
      authLayer,
      cookieLayer,
    ];
    this.dispatch = layers.reduceRight<Dispatch>(
      (next, layer) => layer(next),
      networkExchange(this.router),
    );
  }

  /**
   * Keeps the stack's connections open until the returned function is
   * called; when the last holder lets go, they are closed (the stack stays
   * usable and connects anew). A face object holds it for its lifetime.
   */
  hold(): () => void {
    this.#holders++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--this.#holders === 0) this.router.release();
    };
  }

  /** Closes every transport for good. */
  close(): void {
    this.router.close();
  }
}

/**
 * Builds a stack.
 *
 * @param settings the cache, scheduler and hooks; the defaults give the faces' stack
 * @returns the stack; close it when done
 *
 * @example Usage
 * ```ts
 * import { buildStack } from "./stack.ts";
 * const stack = buildStack({ cache: null });
 * stack.close();
 * ```
 */
export function buildStack(settings: StackSettings = {}): Stack {
  return new Stack(settings);
}

let defaultStack: Stack | null = null;
const stacks = new WeakMap<StackSettings, Stack>();

/**
 * The stack of `settings`, built once per settings object and shared by
 * every caller that passes the same object (equal settings share
 * transports and connections). Without settings: the default stack both
 * faces and the CLI use. A face with its own hook layers declares its
 * settings object once, at module level, and passes it here.
 *
 * @param settings the settings object; absent for the defaults
 * @returns the stack, built on first use
 *
 * @example Usage
 * ```ts
 * import { sharedStack } from "./stack.ts";
 * const release = sharedStack().hold();
 * release();
 * ```
 */
export function sharedStack(settings?: StackSettings): Stack {
  if (!settings) return defaultStack ??= new Stack();
  let stack = stacks.get(settings);
  if (!stack) stacks.set(settings, stack = new Stack(settings));
  return stack;
}
