/**
 * Reads the replies of a proxy handshake (SOCKS5 messages, the head of a
 * CONNECT response) from a `node:net` socket, then gives the socket back
 * with any byte read past the reply put back in front of its stream.
 *
 * @module
 */

import type { Socket } from "node:net";
import { NetError } from "../errors.ts";

/** Largest CONNECT response head accepted. */
const MAX_HEAD = 16 * 1024;

/**
 * Collects a socket's bytes until the handshake is done.
 *
 * @example
 * ```ts ignore
 * import { HandshakeReader } from "./handshake_reader.ts";
 * const reader = new HandshakeReader(socket, "proxy 127.0.0.1:1080", signal);
 * const [version, method] = await reader.take(2);
 * reader.release();
 * ```
 */
export class HandshakeReader {
  readonly #socket: Socket;
  readonly #peer: string;
  readonly #signal: AbortSignal;
  #buffer = new Uint8Array(0);
  #failure: Error | null = null;
  #waiter: (() => void) | null = null;
  readonly #onData = (chunk: Uint8Array) => {
    const joined = new Uint8Array(this.#buffer.byteLength + chunk.byteLength);
    joined.set(this.#buffer);
    joined.set(chunk, this.#buffer.byteLength);
    this.#buffer = joined;
    this.#wake();
  };
  readonly #onEnd = () => {
    this.#failure ??= new NetError("RECEIVE_FAILED", `${this.#peer} closed the connection`);
    this.#wake();
  };
  readonly #onError = (error: Error) => {
    this.#failure ??= new NetError("RECEIVE_FAILED", `${this.#peer}: ${error.message}`, {
      cause: error,
    });
    this.#wake();
  };
  readonly #onAbort = () => {
    this.#failure ??= this.#signal.reason;
    this.#socket.destroy();
    this.#wake();
  };

  /** Starts collecting; `peer` names the other end in errors. */
  constructor(socket: Socket, peer: string, signal: AbortSignal) {
    this.#socket = socket;
    this.#peer = peer;
    this.#signal = signal;
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("close", this.#onEnd);
    socket.on("error", this.#onError);
    signal.addEventListener("abort", this.#onAbort, { once: true });
  }

  /** Sends `bytes` to the peer. */
  send(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }

  /** The next `n` bytes. */
  async take(n: number): Promise<Uint8Array> {
    while (this.#buffer.byteLength < n) await this.#more();
    const out = this.#buffer.slice(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** The bytes up to and including the first CRLFCRLF, as latin-1 text. */
  async head(): Promise<string> {
    for (;;) {
      const end = findHeadEnd(this.#buffer);
      if (end >= 0) {
        const head = String.fromCharCode(...this.#buffer.subarray(0, end));
        this.#buffer = this.#buffer.subarray(end);
        return head;
      }
      if (this.#buffer.byteLength > MAX_HEAD) {
        throw new NetError(
          "BAD_RESPONSE",
          `${this.#peer} sent a reply head over ${MAX_HEAD} bytes`,
        );
      }
      await this.#more();
    }
  }

  /** Stops collecting and puts unread bytes back into the socket's stream. */
  release(): void {
    const socket = this.#socket;
    socket.off("data", this.#onData);
    socket.off("end", this.#onEnd);
    socket.off("close", this.#onEnd);
    socket.off("error", this.#onError);
    this.#signal.removeEventListener("abort", this.#onAbort);
    socket.pause();
    if (this.#buffer.byteLength > 0) socket.unshift(this.#buffer);
    this.#buffer = new Uint8Array(0);
  }

  async #more(): Promise<void> {
    if (this.#failure) throw this.#failure;
    await new Promise<void>((resolve) => (this.#waiter = resolve));
    if (this.#failure) throw this.#failure;
  }

  #wake(): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.();
  }
}

function findHeadEnd(bytes: Uint8Array): number {
  for (let i = 3; i < bytes.byteLength; i++) {
    if (
      bytes[i] === 10 && bytes[i - 1] === 13 && bytes[i - 2] === 10 && bytes[i - 3] === 13
    ) return i + 1;
  }
  return -1;
}
