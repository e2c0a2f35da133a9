/**
 * The core pipeline's request events as Titanium reports them: the final
 * response head moves to `HEADERS_RECEIVED` then `LOADING`, body chunks are
 * kept or written to the `file` download, and progress becomes
 * `ondatastream` and `onsendstream`. Events of a run that is no longer
 * current (aborted or over) are dropped.
 *
 * @module
 */

import { NetError } from "../core/errors.ts";
import { declaredLength } from "../core/read_body.ts";
import type { RequestEvents, ResponseHead } from "../core/request.ts";
import { fire } from "./callbacks.ts";
import { FileDownload } from "./download_file.ts";
import type { SendRun } from "./send_run.ts";
import { tlsRefusal } from "./settings.ts";

/** The events to dispatch `run`'s request with; progress only when someone listens. */
export function coreEvents(run: SendRun): RequestEvents {
  const events: RequestEvents = {
    onHeaders: (head) => {
      if (!run.current) return;
      if (head.final) headersReceived(run, head);
      else checkRedirect(run, head);
    },
    onData: (chunk) => {
      if (!run.current) return undefined;
      if (run.download) return run.download.write(chunk);
      run.chunks.push(chunk.slice()); // the core reuses the chunk's memory
      return undefined;
    },
  };
  if (run.streamsBody) {
    events.onDownloadProgress = (received, total) => {
      if (!run.current) return;
      const size = received - run.received;
      run.received = received;
      const progress = total > 0 && received <= total ? received / total : -1;
      reportDataProgress(run, progress, size);
    };
  }
  const { client } = run.host;
  if (typeof client.onsendstream === "function") {
    events.onUploadProgress = (sent, total) => {
      if (!run.current) return;
      const progress = total > 0 ? Math.min(sent / total, 1) : 1;
      if (progress <= run.lastSendProgress) return;
      run.lastSendProgress = progress;
      fire(client, "onsendstream", { source: client, progress });
    };
  }
  return events;
}

/** Calls `ondatastream`; `size` is the bytes that arrived since the last call. */
export function reportDataProgress(run: SendRun, progress: number, size: number): void {
  const { client } = run.host;
  run.lastDataProgress = progress;
  fire(client, "ondatastream", {
    source: client,
    progress,
    totalCount: run.total,
    totalSize: run.received,
    size,
  });
}

function headersReceived(run: SendRun, head: ResponseHead): void {
  const { client, response } = run.host;
  response.receive(head);
  run.total = declaredLength(head.headers) ?? -1;
  if (run.target !== null && head.status < 400) run.download = new FileDownload(run.target);
  run.host.setState(client.HEADERS_RECEIVED);
  if (!run.current) return;
  run.host.setState(client.LOADING);
}

/** Stops before a redirect to https that the TLS settings cannot honour. */
function checkRedirect(run: SendRun, head: ResponseHead): void {
  const { client } = run.host;
  const refusal = tlsRefusal(client.validatesSecureCertificate, client.tlsVersion);
  const location = head.headers.get("location");
  if (!refusal || location === null) return;
  let next: URL;
  try {
    next = new URL(location, head.url);
  } catch {
    return;
  }
  if (next.protocol === "https:") {
    run.controller.abort(new NetError("TLS_HANDSHAKE", `redirect to ${next.href}: ${refusal}`));
  }
}
