/**
 * One `send()` of an `HTTPClient`, and the only owner of its state: its
 * cancellation, what arrived, where the body goes, the progress reported.
 * It dispatches the core request, turns the core's events into readyState
 * changes and callbacks, and ends in `DONE`, then `onload`, or `onerror`
 * for a failure or a status of 400 or more. It knows its client only
 * through {@linkcode RunHost}, so this module does not import the client.
 *
 * @module
 */

import { releaseController, takeController } from "../core/abort_pool.ts";
import { NetError } from "../core/errors.ts";
import { concat, declaredLength } from "../core/read_body.ts";
import type { RequestEvents, ResponseHead } from "../core/request.ts";
import type { FileDownload } from "./download_file.ts";
import { loadXmlParser, mayBeXml } from "./response_xml.ts";
import type { Failure } from "./errors.ts";
import type { SendSettings } from "./prepare_request.ts";
import type { RequestHeaders } from "./request_headers.ts";
import type { ClientResponse } from "./response.ts";
import { tlsRefusal } from "./settings.ts";

/**
 * What a run needs beyond the client's own modules: the core's stack, the
 * request's preparation (bodies, multipart, credentials, retries) and the
 * failures' wording. Loaded by the first `send()`, so that importing the
 * library loads none of it for the client.
 */
interface SendPath {
  readonly prepareRequest: typeof import("./prepare_request.ts").prepareRequest;
  readonly sharedStack: typeof import("../core/stack.ts").sharedStack;
  readonly failures: typeof import("./errors.ts");
}

let sendPath: SendPath | null = null;

async function loadSendPath(): Promise<SendPath> {
  const [{ prepareRequest }, { sharedStack }, failures] = await Promise.all([
    import("./prepare_request.ts"),
    import("../core/stack.ts"),
    import("./errors.ts"),
  ]);
  return sendPath = { prepareRequest, sharedStack, failures };
}

/** The readyStates a run moves its client through. */
const HEADERS_RECEIVED = 2;
const LOADING = 3;
const DONE = 4;

/** What a run asks of its client; the client's own state stays the client's. */
export interface RunHost {
  /** The client's settings, read when the run starts. */
  readonly settings: SendSettings;
  /** Where the final response goes. */
  readonly response: ClientResponse;
  /** Whether `run` is still the request in progress: neither aborted nor over. */
  isCurrent(run: SendRun): boolean;
  /** Ends the request in progress: the client is no longer `connected`. */
  release(): void;
  /** Enters `state` and calls `onreadystatechange`. */
  setState(state: number): void;
  /** Whether the client has a function in callback property `name`. */
  listens(name: "ondatastream" | "onsendstream"): boolean;
  /** Calls the client's callback `name` with `event` plus `source` (the client). */
  fire(name: "onload" | "onerror" | "ondatastream" | "onsendstream", event: object): void;
  /** Whether the client is idle in `DONE` (a callback for DONE may have sent again). */
  isDone(): boolean;
}

/** One `send()`: created by the client, run once with {@linkcode SendRun.execute}. */
export class SendRun {
  readonly #host: RunHost;
  readonly #method: string;
  readonly #url: string;
  readonly #headers: RequestHeaders;
  /** Cancels the run; given back to the pool once the run is over (see `abort_pool.ts`). */
  #controller: AbortController | null = takeController();
  #aborted = false;
  #download: FileDownload | null = null;
  #target: string | URL | null = null;
  /** Loaded with the first `file` target: `node:path` would start Deno's Node layer at import. */
  #downloads: typeof import("./download_file.ts") | null = null;
  readonly #chunks: Uint8Array[] = [];
  #received = 0;
  #total = -1;
  #lastDataProgress = -2;
  #lastSendProgress = 0;
  /** Body bytes (decoded) a streamed body may have; `Infinity` for no limit. */
  #limit = Infinity;
  #overLimit = false;
  /** The limit the core enforces on a buffered body; `Infinity` when streamed or none. */
  #bufferLimit = Infinity;
  /** Body bytes handed to `onData` so far. */
  #streamed = 0;

  /**
   * @param host the client, as the run may see it
   * @param method the method given to `open()`, not yet checked
   * @param url the URL given to `open()`, not yet parsed
   * @param headers the headers set for this send
   */
  constructor(host: RunHost, method: string, url: string, headers: RequestHeaders) {
    this.#host = host;
    this.#method = method;
    this.#url = url;
    this.#headers = headers;
  }

  /** Stops the run: nothing it hears reaches the client any more, and a download is discarded. */
  abort(): void {
    this.#aborted = true;
    this.#controller?.abort(new NetError("ABORTED", "abort() was called"));
  }

  /** Sends `data`; resolves once the outcome's callbacks have returned. Never rejects. */
  async execute(data: unknown): Promise<void> {
    let failure: Failure | null = null;
    const { prepareRequest, sharedStack, failures } = sendPath ?? await loadSendPath();
    const stack = sharedStack();
    const release = stack.hold();
    try {
      const streams = this.#host.listens("ondatastream");
      const prepared = await prepareRequest(this.#host.settings, {
        method: this.#method,
        url: this.#url,
        headers: this.#headers,
        data,
        streams,
        signal: this.#controller!.signal,
      });
      this.#target = prepared.target;
      if (this.#target !== null) this.#downloads = await import("./download_file.ts");
      // The core enforces the limit on a buffered body; the run on a streamed one (onData).
      if (prepared.request.bodyMode === "buffer") this.#bufferLimit = prepared.maxResponseSize;
      else this.#limit = prepared.maxResponseSize;
      this.#host.response.location = prepared.request.url.href;
      const result = await stack.dispatch(
        prepared.request,
        this.#events(prepared.request.bodyMode),
      );
      if (result.body) {
        this.#chunks.push(result.body);
        this.#received = result.body.byteLength;
      }
      if (this.#aborted) throw new NetError("ABORTED", "abort() was called");
      if (this.#download) await this.#download.commit();
      const type = this.#host.response.header("content-type");
      if (!this.#download && mayBeXml(this.#chunks[0], type)) await loadXmlParser();
    } catch (error) {
      if (this.#download) await this.#download.discard();
      failure = this.#overLimit
        ? failures.sizeLimitFailure(this.#limit)
        : isBufferLimit(error, this.#bufferLimit)
        ? failures.sizeLimitFailure(this.#bufferLimit)
        : failures.toFailure(error);
    } finally {
      release();
      releaseController(this.#controller!);
      this.#controller = null; // another run may hold it now
    }
    if (this.#current) this.#finish(failure);
  }

  /** `false` once aborted or over: from then on, nothing it hears reaches the client. */
  get #current(): boolean {
    return this.#host.isCurrent(this);
  }

  /** The core events to dispatch with; progress only when someone listens. */
  #events(bodyMode: "buffer" | "stream"): RequestEvents {
    const events: RequestEvents = {
      onHeaders: (head) => {
        if (!this.#current) return;
        if (head.final) this.#headersReceived(head);
        else this.#checkRedirect(head);
      },
      onData: (chunk, transferable) => {
        if (!this.#current) return undefined;
        this.#streamed += chunk.byteLength;
        if (this.#streamed > this.#limit) {
          this.#overLimit = true;
          throw new NetError("ABORTED", "the body outgrew maxResponseSize");
        }
        if (this.#download) return this.#download.write(chunk);
        // The core reuses the chunk's memory: a copy, unless it lets us take a whole buffer.
        const whole = transferable && chunk.byteOffset === 0 &&
          chunk.byteLength === chunk.buffer.byteLength && chunk.buffer instanceof ArrayBuffer;
        this.#chunks.push(whole ? new Uint8Array(chunk.buffer.transfer()) : chunk.slice());
        return undefined;
      },
    };
    if (bodyMode === "stream") {
      events.onDownloadProgress = (received, total) => {
        if (!this.#current) return;
        const size = received - this.#received;
        this.#received = received;
        const progress = total > 0 && received <= total ? received / total : -1;
        this.#reportDataProgress(progress, size);
      };
    }
    if (this.#host.listens("onsendstream")) {
      events.onUploadProgress = (sent, total) => {
        if (!this.#current) return;
        const progress = total > 0 ? Math.min(sent / total, 1) : 1;
        if (progress <= this.#lastSendProgress) return;
        this.#lastSendProgress = progress;
        this.#host.fire("onsendstream", { progress });
      };
    }
    return events;
  }

  #headersReceived(head: ResponseHead): void {
    this.#host.response.receive(head);
    this.#total = declaredLength(head.headers) ?? -1;
    if (this.#target !== null && head.status < 400) {
      this.#download = new this.#downloads!.FileDownload(this.#target);
    }
    this.#host.setState(HEADERS_RECEIVED);
    if (!this.#current) return;
    this.#host.setState(LOADING);
  }

  /** Stops before a redirect to https that the TLS settings cannot honour. */
  #checkRedirect(head: ResponseHead): void {
    const { settings } = this.#host;
    const refusal = tlsRefusal(settings.validatesSecureCertificate, settings.tlsVersion);
    const location = head.headers.get("location");
    if (!refusal || location === null) return;
    let next: URL;
    try {
      next = new URL(location, head.url);
    } catch {
      return;
    }
    if (next.protocol === "https:") {
      this.#controller?.abort(
        new NetError("TLS_HANDSHAKE", `redirect to ${next.href}: ${refusal}`),
      );
    }
  }

  /** Calls `ondatastream`; `size` is the bytes that arrived since the last call. */
  #reportDataProgress(progress: number, size: number): void {
    this.#lastDataProgress = progress;
    if (!this.#host.listens("ondatastream")) return;
    this.#host.fire("ondatastream", {
      progress,
      totalCount: this.#total,
      totalSize: this.#received,
      size,
    });
  }

  #finish(failure: Failure | null): void {
    const host = this.#host;
    const { response } = host;
    if (failure === null) {
      response.body = this.#download ? null : concat(this.#chunks, this.#received);
      response.downloaded = this.#download?.target ?? null;
      if (this.#lastDataProgress !== 1) this.#reportDataProgress(1, 0);
      if (!this.#current) return;
    }
    host.release();
    host.setState(DONE);
    // A callback for DONE may have opened or sent again: the new request owns the client.
    if (!host.isDone()) return;
    const error = failure ??
      (response.status >= 400
        ? sendPath!.failures.statusFailure(response.status, response.statusText)
        : null);
    if (error) host.fire("onerror", { success: false, ...error });
    else host.fire("onload", { success: true, code: 0 });
  }
}

/** Whether `error` is the core refusing a buffered body over the size limit. */
function isBufferLimit(error: unknown, limit: number): boolean {
  return Number.isFinite(limit) && error instanceof NetError &&
    error.details.limit === "body-size";
}
