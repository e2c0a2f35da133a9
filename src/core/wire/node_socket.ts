/**
 * A `node:net` / `node:tls` socket as a {@linkcode ByteConnection}.
 *
 * The engine runs on Node sockets rather than `Deno.connect` for two measured
 * reasons (docs/transports.md): they carry small responses faster here, and
 * they are not Deno resources, so a pooled idle socket neither trips a test's
 * resource sanitizer nor, once unref'd, keeps the process alive.
 *
 * @module
 */

import type { Socket } from "node:net";
import type { ByteConnection, SocketFacts } from "./connection.ts";

/** Unread bytes above which the socket is paused until the engine reads. */
const HIGH_WATER = 256 * 1024;

/**
 * Adapts a connected socket. Data the socket pushes is queued and copied out
 * by `read`; the socket pauses while the queue is above a high-water mark.
 *
 * @example
 * ```ts
 * import net from "node:net";
 * import { fromNodeSocket } from "./node_socket.ts";
 * import type { SocketFacts } from "./connection.ts";
 * function adapt(socket: net.Socket, facts: SocketFacts) {
 *   return fromNodeSocket(socket, facts);
 * }
 * ```
 */
export function fromNodeSocket(socket: Socket, facts: SocketFacts): ByteConnection {
  return new NodeSocketConnection(socket, facts);
}

class NodeSocketConnection implements ByteConnection {
  readonly facts: SocketFacts;
  readonly #socket: Socket;
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | null = null;
  #wake: (() => void) | null = null;
  /** Whether this adapter paused the socket (too much unread). */
  #paused = false;

  constructor(socket: Socket, facts: SocketFacts) {
    this.#socket = socket;
    this.facts = facts;
    socket.on("data", (chunk: Uint8Array) => {
      this.#queue.push(chunk);
      this.#queued += chunk.byteLength;
      if (this.#queued > HIGH_WATER && !this.#paused) {
        this.#paused = true;
        socket.pause();
      }
      this.#notify();
    });
    socket.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    socket.on("error", (error: Error) => {
      this.#error = error;
      this.#notify();
    });
    socket.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
  }

  /** `false` once the peer closed, the socket failed or was closed. */
  get open(): boolean {
    return !this.#ended && !this.#error && !this.#socket.destroyed;
  }

  /** Bytes received and not yet read (a pooled connection must have none). */
  get pending(): number {
    return this.#queued;
  }

  async read(buffer: Uint8Array): Promise<number | null> {
    while (this.#queued === 0) {
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    let copied = 0;
    while (copied < buffer.byteLength && this.#queue.length > 0) {
      const chunk = this.#queue[0];
      const room = buffer.byteLength - copied;
      if (chunk.byteLength <= room) {
        buffer.set(chunk, copied);
        copied += chunk.byteLength;
        this.#queue.shift();
      } else {
        buffer.set(chunk.subarray(0, room), copied);
        copied += room;
        this.#queue[0] = chunk.subarray(room);
      }
    }
    this.#queued -= copied;
    if (this.#paused && this.#queued <= HIGH_WATER) {
      this.#paused = false;
      this.#socket.resume();
    }
    return copied;
  }

  async write(bytes: Uint8Array): Promise<number> {
    await this.writeAll(bytes);
    return bytes.byteLength;
  }

  writeAll(bytes: Uint8Array): Promise<void> | null {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#socket.destroyed) return Promise.reject(new Error("the connection is closed"));
    // Node copies nothing: the caller's bytes must stay unchanged until the write drains.
    if (this.#socket.write(bytes)) return null;
    return new Promise((resolve, reject) => {
      const drained = () => {
        this.#socket.off("close", closed);
        resolve();
      };
      const closed = () => {
        this.#socket.off("drain", drained);
        reject(this.#error ?? new Error("the connection is closed"));
      };
      this.#socket.once("drain", drained);
      this.#socket.once("close", closed);
    });
  }

  close(): void {
    this.#ended = true;
    this.#socket.destroy();
    this.#notify();
  }

  idle(ms: number, onIdle: () => void): void {
    // A socket timeout, unlike a timer, is invisible to test sanitizers and follows the socket's ref.
    this.#socket.setTimeout(ms);
    this.#socket.removeAllListeners("timeout");
    if (ms > 0) this.#socket.on("timeout", onIdle);
  }

  ref(): void {
    this.#socket.ref();
  }

  unref(): void {
    this.#socket.unref();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
