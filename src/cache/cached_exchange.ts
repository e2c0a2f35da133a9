/**
 * What the cache layer (`cache_layer.ts`) does with a request while a cache
 * is open: it answers from the store, revalidates, and stores what the
 * network returns, while the pipeline below it stays the only place that
 * sends requests. Loaded by the first request that meets an open cache.
 *
 * - **Fresh hit**: no request is sent. `onHeaders` gets the stored head
 *   (status as stored, `Age`/`Date` updated), stream mode gets the stored
 *   body through `onData`/`onDownloadProgress` chunk by chunk, buffer mode
 *   gets it in `body`. The timing has `fromCache: true`, no network marks
 *   (`firstSend`, `firstReceive` and `redirect` are 0; `dns`, `tcp`, `tls`
 *   `null`), and real marks for when the head and the body were delivered.
 * - **Stale**: the request goes out with `If-None-Match`/`If-Modified-Since`.
 *   A `304` is never shown to the caller: the stored headers are refreshed
 *   from it and the caller gets the stored response (status as stored,
 *   normally 200) with the stored body; any other answer is a normal miss.
 * - **Miss**: the response is stored when the policy allows, while it
 *   streams (64 KiB chunks go to KV as they arrive; nothing beyond one chunk
 *   is held for the cache) or from the buffered body. A body larger than
 *   `maxEntrySize` is not stored. Redirected responses are not stored (this
 *   layer sits outside the redirect loop and sees only the final response).
 * - Cache failures never fail a request: a store that cannot be read is a
 *   miss, one that cannot be written is skipped. A corrupt entry is dropped
 *   and refetched; only a stored body found incomplete after part of it was
 *   streamed to the caller ends the request (2300018, partial body).
 *
 * @module
 */

import { NetError } from "../core/errors.ts";
import { isFollowedRedirect } from "../core/redirects.ts";
import type {
  CoreRequest,
  CoreResult,
  Dispatch,
  RequestEvents,
  ResponseHead,
} from "../core/request.ts";
import { type Timing, TimingRecorder } from "../core/timing.ts";
import { CorruptEntryError } from "./body_reader.ts";
import { urlPart, variantOf } from "./entry_key.ts";
import type { BodyWriter } from "./entry_writer.ts";
import type { KvStore } from "./kv_store.ts";
import type { EntryHead, FoundEntry } from "./stored_entry.ts";
import {
  type CachePolicy,
  isUnsafe,
  loadPolicies,
  lookupMethod,
  onlyIfCached,
  policyFor,
  type PolicyRequest,
  policyRequest,
  policyResponse,
  restorePolicy,
  revalidationHeaders,
  serializePolicy,
  servedHeaders,
  shouldStore,
  varyMatches,
  varyNames,
  varyValues,
} from "./policy.ts";
import { scopeOf } from "./scope.ts";

const EMPTY = new Uint8Array(0);

/** The request with a cache (possibly still opening): answered, revalidated or stored. */
export async function throughCache(
  pending: KvStore | Promise<KvStore | null>,
  request: CoreRequest,
  events: RequestEvents,
  next: Dispatch,
): Promise<CoreResult> {
  const store = pending instanceof Promise ? await pending : pending;
  if (store === null || store.closed) return await next(request, events);
  await loadPolicies();

  const method = lookupMethod(request);
  if (method === null) {
    const result = await next(request, events);
    if (isUnsafe(request.method) && result.head.status < 400) {
      await invalidate(store, request, result.head).catch(() => {});
    }
    return result;
  }
  return await new CachedExchange(store, request, events, next, method).run();
}

/** A stored response chosen for a request. */
interface Candidate {
  readonly found: FoundEntry;
  readonly policy: CachePolicy;
  /**
   * The request as the policy is asked about it: a HEAD answered from a
   * stored GET is presented as a GET, since the library only matches equal
   * methods (a stored GET may answer a HEAD, RFC 9110 §9.3.2).
   */
  readonly asked: PolicyRequest;
}

class CachedExchange {
  readonly #store: KvStore;
  readonly #request: CoreRequest;
  readonly #events: RequestEvents;
  readonly #next: Dispatch;
  readonly #method: "GET" | "HEAD";
  readonly #policyRequest: PolicyRequest;
  /** Credentials and route: only entries of the same scope are served (see `scope.ts`). */
  #scope = "";

  constructor(
    store: KvStore,
    request: CoreRequest,
    events: RequestEvents,
    next: Dispatch,
    method: "GET" | "HEAD",
  ) {
    this.#store = store;
    this.#request = request;
    this.#events = events;
    this.#next = next;
    this.#method = method;
    this.#policyRequest = policyRequest(request);
  }

  async run(): Promise<CoreResult> {
    const scope = scopeOf(this.#request);
    this.#scope = typeof scope === "string" ? scope : await scope;
    let candidate: Candidate | null = null;
    if (this.#request.cache !== "reload") {
      candidate = await this.#select();
      if (candidate) {
        let fresh = false;
        try {
          fresh = !candidate.policy.evaluateRequest(candidate.asked).revalidation;
        } catch {
          this.#store.discard(candidate.found.key, candidate.found.versionstamp);
          candidate = null;
        }
        if (candidate && fresh && this.#fits(candidate.found)) {
          const hit = await this.#deliver(candidate.found, candidate.policy, null);
          if (hit) return hit;
          candidate = null;
        }
      }
      if (onlyIfCached(this.#request)) return this.#gatewayTimeout();
    }
    return await this.#fetch(candidate, true);
  }

  /** The most recent stored response whose method and `Vary` fields fit the request. */
  async #select(): Promise<Candidate | null> {
    let found: FoundEntry[];
    try {
      found = await this.#store.lookup(this.#request.url.href);
    } catch {
      return null;
    }
    let best: FoundEntry | null = null;
    for (const item of found) {
      const { entry } = item;
      if (entry.scope !== this.#scope) continue;
      if (entry.method !== this.#method && !(this.#method === "HEAD" && entry.method === "GET")) {
        continue;
      }
      if (!varyMatches(entry.vary, this.#request.headers)) continue;
      if (
        !best || rank(item, this.#method) > rank(best, this.#method) ||
        (rank(item, this.#method) === rank(best, this.#method) &&
          entry.stored > best.entry.stored)
      ) best = item;
    }
    if (!best) return null;
    const policy = restorePolicy(best.entry.policy);
    if (!policy) {
      this.#store.discard(best.key, best.versionstamp);
      return null;
    }
    const asked = best.entry.method === this.#policyRequest.method
      ? this.#policyRequest
      : { ...this.#policyRequest, method: best.entry.method };
    return { found: best, policy, asked };
  }

  /** A buffered request cannot take a stored body above its size limit: the network decides. */
  #fits(found: FoundEntry): boolean {
    return this.#request.bodyMode === "stream" || this.#method === "HEAD" ||
      found.entry.size <= this.#request.maxBodySize;
  }

  /**
   * Sends the request (conditional when a stored response can be
   * revalidated) and stores the answer when allowed.
   */
  async #fetch(candidate: Candidate | null, mayRetry: boolean): Promise<CoreResult> {
    const request = this.#request;
    let sent = request;
    if (candidate) {
      const headers = revalidationHeaders(candidate.policy, candidate.asked);
      if (headers.has("if-none-match") || headers.has("if-modified-since")) {
        sent = { ...request, headers };
      } else {
        candidate = null;
      }
    }

    let redirected = false;
    let notModified = false;
    let plan: StorePlan | null = null;
    const events: RequestEvents = { ...this.#events };
    events.onHeaders = (head) => {
      if (!head.final) redirected = true;
      else if (candidate && !redirected && head.status === 304) {
        notModified = true;
        return; // the caller sees the refreshed stored response instead
      } else if (!redirected) plan = this.#plan(head);
      this.#events.onHeaders?.(head);
    };
    if (request.bodyMode === "stream") {
      events.onData = async (chunk) => {
        await this.#events.onData?.(chunk);
        if (plan) await plan.writer.write(chunk);
      };
    }

    let result: CoreResult;
    try {
      result = await this.#next(sent, events);
    } catch (error) {
      await (plan as StorePlan | null)?.writer.abort();
      throw error;
    }

    if (notModified && candidate) {
      const revalidated = candidate.policy.revalidatedPolicy(
        candidate.asked,
        policyResponse(304, result.head.headers),
      );
      if (revalidated.modified && mayRetry) return await this.#fetch(null, false);
      await this.#refresh(candidate.found, revalidated.policy);
      const served = await this.#deliver(candidate.found, revalidated.policy, result.timing);
      if (served) return served;
      // The stored body is gone or corrupt: ask again without conditions.
      return await this.#fetch(null, false);
    }

    const storing = plan as StorePlan | null;
    if (storing) await this.#commit(storing, result);
    return result;
  }

  /** Decides at the final head whether to store the response, and prepares the writer. */
  #plan(head: ResponseHead): StorePlan | null {
    const request = this.#request;
    let policy: CachePolicy;
    try {
      policy = policyFor(this.#policyRequest, head);
    } catch {
      return null;
    }
    if (!shouldStore(policy, request, head)) return null;
    // The body length we will see: Content-Length, unless fetch decodes a content coding.
    const length = head.headers.get("content-length");
    const declared = length !== null && /^\d+$/.test(length) && this.#method === "GET" &&
        !head.headers.has("content-encoding")
      ? Number(length)
      : null;
    if (declared !== null && declared > this.#store.options.maxEntrySize) return null;
    const vary = varyNames(head.headers) ?? [];
    return {
      declared,
      head: {
        url: request.url.href,
        method: this.#method,
        status: head.status,
        statusText: head.statusText,
        policy: serializePolicy(policy, vary),
        vary: varyValues(vary, request.headers),
        stored: Date.now(),
        scope: this.#scope,
      },
      writer: this.#store.writer(),
    };
  }

  async #commit(plan: StorePlan, result: CoreResult): Promise<void> {
    try {
      if (this.#request.bodyMode === "buffer" && result.body) {
        await plan.writer.writeAll(result.body);
      }
      if (plan.declared !== null && plan.writer.size !== plan.declared) {
        return await plan.writer.abort(); // a short body is never stored
      }
      const key = {
        url: await urlPart(plan.head.url),
        variant: await variantOf(plan.head.method, plan.head.vary, plan.head.scope),
      };
      await this.#store.commit(key, plan.head, plan.writer);
    } catch {
      await plan.writer.abort();
    }
  }

  /** Stores the headers a 304 refreshed (best effort: a concurrent replacement wins). */
  async #refresh(found: FoundEntry, policy: CachePolicy): Promise<void> {
    const vary = found.entry.vary.map(([name]) => name);
    await this.#store.refresh(found, serializePolicy(policy, vary)).catch(() => {});
  }

  /**
   * Delivers a stored response: head, then body. `network` is the timing of
   * a revalidation exchange, `null` for a fresh hit. Returns `null` when the
   * stored body turned out unusable before anything was delivered.
   */
  async #deliver(
    found: FoundEntry,
    policy: CachePolicy,
    network: Timing | null,
  ): Promise<CoreResult | null> {
    const request = this.#request;
    const events = this.#events;
    const recorder = new TimingRecorder(request.startTime);
    const timing: Timing = network ? { ...network } : { ...recorder.timing, fromCache: true };
    const { entry } = found;
    const headers = servedHeaders(policy);
    const head: ResponseHead = {
      final: !isFollowedRedirect(request, entry.status, headers),
      status: entry.status,
      statusText: entry.statusText,
      headers,
      url: request.url.href,
    };
    const withBody = this.#method === "GET" && entry.size > 0;
    this.#checkAlive();
    if (!head.final) {
      // A stored redirect is a hop for the redirect layer above: its head, not its body.
      timing.headers = timing.finish = recorder.elapsed();
      events.onHeaders?.(head);
      this.#store.touch(found.key);
      return { head, body: null, redirects: 0, timing };
    }

    if (request.bodyMode === "buffer") {
      let body: Uint8Array = EMPTY;
      if (withBody) {
        try {
          body = await this.#store.readBody(entry);
        } catch (error) {
          // Corrupt: drop it. Any other store failure (e.g. the cache was just
          // deleted): nothing was delivered yet, so the network answers.
          if (error instanceof CorruptEntryError) {
            this.#store.discard(found.key, found.versionstamp);
          }
          return null;
        }
      }
      timing.headers = recorder.elapsed();
      events.onHeaders?.(head);
      if (body.byteLength > 0) events.onDownloadProgress?.(body.byteLength, body.byteLength);
      timing.body = body.byteLength > 0 ? recorder.elapsed() : 0;
      timing.finish = recorder.elapsed();
      this.#store.touch(found.key);
      return { head, body, redirects: 0, timing };
    }

    const chunks = withBody ? this.#store.body(entry) : null;
    let first: IteratorResult<Uint8Array> | null = null;
    if (chunks) {
      try {
        first = await chunks.next();
      } catch (error) {
        if (error instanceof CorruptEntryError) this.#store.discard(found.key, found.versionstamp);
        return null;
      }
    }
    timing.headers = recorder.elapsed();
    events.onHeaders?.(head);
    let received = 0;
    try {
      for (let step = first; step && !step.done; step = await chunks!.next()) {
        this.#checkAlive();
        const pending = events.onData?.(step.value);
        if (pending) await pending;
        received += step.value.byteLength;
        events.onDownloadProgress?.(received, entry.size);
      }
    } catch (error) {
      await chunks?.return(undefined).catch(() => {});
      if (error instanceof NetError) throw error; // cancelled or timed out
      if (error instanceof CorruptEntryError) this.#store.discard(found.key, found.versionstamp);
      throw new NetError(
        "PARTIAL_BODY",
        `the cached body of ${request.url.href} could not be read to its end`,
        { cause: error },
      );
    }
    timing.body = received > 0 ? recorder.elapsed() : 0;
    timing.finish = recorder.elapsed();
    this.#store.touch(found.key);
    return { head, body: null, redirects: 0, timing };
  }

  /** Honours cancellation and the total timeout while a stored body is delivered. */
  #checkAlive(): void {
    const { signal, totalTimeout, startTime } = this.#request;
    if (signal?.aborted) {
      throw signal.reason instanceof NetError ? signal.reason : new NetError("ABORTED");
    }
    if (totalTimeout > 0 && performance.now() - startTime > totalTimeout) {
      throw new NetError("TIMEOUT", `the request took longer than ${totalTimeout} ms`);
    }
  }

  /** RFC 9111 §5.2.1.7: `only-if-cached` with nothing usable stored. */
  #gatewayTimeout(): CoreResult {
    const recorder = new TimingRecorder(this.#request.startTime);
    const head: ResponseHead = {
      final: true,
      status: 504,
      statusText: "Gateway Timeout",
      headers: new Headers(),
      url: this.#request.url.href,
    };
    const timing: Timing = { ...recorder.timing, fromCache: true };
    timing.headers = timing.finish = recorder.elapsed();
    this.#events.onHeaders?.(head);
    return {
      head,
      body: this.#request.bodyMode === "buffer" ? EMPTY : null,
      redirects: 0,
      timing,
    };
  }
}

interface StorePlan {
  /** The body length announced, when it is the length we read. */
  readonly declared: number | null;
  readonly head: EntryHead;
  readonly writer: BodyWriter;
}

/** Prefer an entry stored for the same method (a HEAD may also use a GET's). */
function rank(item: FoundEntry, method: string): number {
  return item.entry.method === method ? 1 : 0;
}

/** RFC 9111 §4.4: a non-error answer to an unsafe method invalidates what is stored for its URL. */
async function invalidate(store: KvStore, request: CoreRequest, head: ResponseHead): Promise<void> {
  const urls = new Set([request.url.href]);
  for (const name of ["location", "content-location"]) {
    const value = head.headers.get(name);
    if (!value) continue;
    try {
      const target = new URL(value, request.url);
      if (target.origin === request.url.origin) urls.add(target.href);
    } catch {
      // not a URL: nothing to invalidate
    }
  }
  for (const url of urls) await store.removeUrl(url);
}
