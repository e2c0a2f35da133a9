/**
 * One `send()` of an `HTTPClient`: its cancellation and what arrived, the
 * dispatch through the core pipeline, and the outcome: `DONE`, then
 * `onload`, or `onerror` for a failure or a status of 400 or more.
 *
 * @module
 */

import { cacheLayer } from "../cache/cache_layer.ts";
import { ClientPool } from "../core/clients.ts";
import { NetError } from "../core/errors.ts";
import { createPipeline } from "../core/pipeline.ts";
import { concat } from "../core/read_body.ts";
import { scheduler } from "../core/scheduler.ts";
import { fire } from "./callbacks.ts";
import { coreEvents, reportDataProgress } from "./core_events.ts";
import type { FileDownload } from "./download_file.ts";
import { type Failure, statusFailure, toFailure } from "./errors.ts";
import type { HTTPClient } from "./http_client.ts";
import { prepareRequest } from "./prepare_request.ts";
import type { RequestHeaders } from "./request_headers.ts";
import type { ClientResponse } from "./response.ts";

/** What a run may change in its client beyond the client's public API. */
export interface RunHost {
  /** The client: its settings, callbacks and readyState. */
  readonly client: HTTPClient;
  /** Where the final response goes. */
  readonly response: ClientResponse;
  /** Whether `run` is still the request in progress: neither aborted nor over. */
  isCurrent(run: SendRun): boolean;
  /** Ends the request in progress: the client is no longer `connected`. */
  release(): void;
  /** Enters `state` and calls `onreadystatechange`. */
  setState(state: number): void;
}

/** One `send()`: its cancellation, what arrived, and where the body goes. */
export class SendRun {
  readonly host: RunHost;
  /** The method given to `open()`, not yet checked. */
  readonly method: string;
  /** The URL given to `open()`, not yet parsed. */
  readonly url: string;
  readonly headers: RequestHeaders;
  readonly controller = new AbortController();
  aborted = false;
  /** The `file` setting, once read. */
  target: string | URL | null = null;
  download: FileDownload | null = null;
  readonly chunks: Uint8Array[] = [];
  received = 0;
  total = -1;
  lastDataProgress = -2;
  lastSendProgress = 0;

  constructor(host: RunHost, method: string, url: string, headers: RequestHeaders) {
    this.host = host;
    this.method = method;
    this.url = url;
    this.headers = headers;
  }

  /** `false` once aborted or over: from then on, nothing it hears reaches the client. */
  get current(): boolean {
    return this.host.isCurrent(this);
  }

  /** Chunks are only needed for `file` and `ondatastream`; otherwise the core reads in one go. */
  get streamsBody(): boolean {
    return this.target !== null || typeof this.host.client.ondatastream === "function";
  }

  /** Sends `data`; resolves once the outcome's callbacks have returned. Never rejects. */
  async execute(data: unknown): Promise<void> {
    let failure: Failure | null = null;
    const clients = new ClientPool();
    try {
      const request = await prepareRequest(this, data);
      // The cache answers before the scheduler, so hits never queue.
      const dispatch = createPipeline(clients, [cacheLayer(), scheduler.layer]);
      const result = await dispatch(request, coreEvents(this));
      if (result.body) {
        this.chunks.push(result.body);
        this.received = result.body.byteLength;
      }
      if (this.aborted) throw new NetError("ABORTED", "abort() was called");
      await this.download?.commit();
    } catch (error) {
      await this.download?.discard();
      failure = toFailure(error);
    } finally {
      clients.close();
    }
    if (this.current) this.#finish(failure);
  }

  #finish(failure: Failure | null): void {
    const { client, response } = this.host;
    if (failure === null) {
      response.body = this.download ? null : concat(this.chunks, this.received);
      if (this.lastDataProgress !== 1) reportDataProgress(this, 1, 0);
      if (!this.current) return;
    }
    this.host.release();
    this.host.setState(client.DONE);
    // A callback for DONE may have opened or sent again: the new request owns the client.
    if (client.connected || client.readyState !== client.DONE) return;
    const error = failure ??
      (response.status >= 400 ? statusFailure(response.status, response.statusText) : null);
    if (error) fire(client, "onerror", { source: client, success: false, ...error });
    else fire(client, "onload", { source: client, success: true, code: 0 });
  }
}
