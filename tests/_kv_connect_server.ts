// A KV Connect server for the cache tests, written from denokv's public
// protocol description (proto/kv-connect.md, proto/schema/datapath.proto):
// the metadata exchange with a bearer token (protocol version 3), then
// protobuf `snapshot_read` and `atomic_write` (checks, set, delete) on the
// data path. It is backed by a local KV file: each remote key is stored as
// `[keyBytes, encoding]` holding the value's raw bytes, and the local
// versionstamps are the remote ones. One request runs at a time. Sum, min,
// max and enqueues are refused (the cache uses none of them).
//
// Run as a program: deno run -A --unstable-kv tests/_kv_connect_server.ts <port> <kv file> <token>
// It prints `listening <port>` once it accepts connections.
// deno-lint-ignore-file no-console

const DATABASE_ID = "5c8bfb9e-6d1c-4f4e-9a0c-2b7c3c1e9d11";
const DATA_TOKEN = "data-path-token";

// ---- protobuf wire format (varints and length-delimited fields only) ----

type Field = { field: number; varint?: bigint; bytes?: Uint8Array };

function decode(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[i++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (i < buf.length) {
    const tag = Number(varint());
    const field = tag >>> 3;
    const type = tag & 7;
    if (type === 0) out.push({ field, varint: varint() });
    else if (type === 2) {
      const n = Number(varint());
      out.push({ field, bytes: buf.subarray(i, i + n) });
      i += n;
    } else if (type === 1) i += 8;
    else if (type === 5) i += 4;
    else throw new Error(`unsupported wire type ${type}`);
  }
  return out;
}

function varintBytes(value: bigint | number): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return out;
}

class Encoder {
  parts: number[] = [];
  varint(field: number, value: bigint | number | boolean): this {
    const v = typeof value === "boolean" ? (value ? 1 : 0) : value;
    if (v === 0 || v === 0n) return this;
    this.parts.push(...varintBytes(field << 3), ...varintBytes(v));
    return this;
  }
  bytes(field: number, value: Uint8Array): this {
    this.parts.push(...varintBytes((field << 3) | 2), ...varintBytes(value.length));
    for (const b of value) this.parts.push(b);
    return this;
  }
  done(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.parts);
  }
}

const bytesOf = (fields: Field[], n: number) =>
  fields.find((f) => f.field === n)?.bytes ?? new Uint8Array(0);
const numberOf = (fields: Field[], n: number) =>
  Number(fields.find((f) => f.field === n)?.varint ?? 0n);

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
}
function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- the data path on a local KV ----

/** The one stored form of a remote key, if any. */
async function current(kv: Deno.Kv, key: Uint8Array) {
  for await (const entry of kv.list<Uint8Array>({ prefix: [key] }, { limit: 1 })) return entry;
  return null;
}

async function snapshotRead(kv: Deno.Kv, body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Encoder();
  for (const range of decode(body).filter((f) => f.field === 1)) {
    const r = decode(range.bytes!);
    const limit = numberOf(r, 3);
    const reverse = numberOf(r, 4) === 1;
    const entries = kv.list<Uint8Array>(
      { start: [bytesOf(r, 1)], end: [bytesOf(r, 2)] },
      { reverse, ...(limit > 0 ? { limit } : {}) },
    );
    const rangeOut = new Encoder();
    for await (const entry of entries) {
      const [key, encoding] = entry.key as [Uint8Array, number];
      rangeOut.bytes(
        1,
        new Encoder().bytes(1, key).bytes(2, entry.value).varint(3, encoding)
          .bytes(4, hexToBytes(entry.versionstamp)).done(),
      );
    }
    out.bytes(1, rangeOut.done());
  }
  return out.varint(4, true).varint(8, 1).done();
}

async function atomicWrite(kv: Deno.Kv, body: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  const fields = decode(body);
  if (fields.some((f) => f.field === 3)) throw new BadRequest("enqueue is not supported");
  const op = kv.atomic();
  const failed: number[] = [];
  let index = 0;
  for (const check of fields.filter((f) => f.field === 1)) {
    const c = decode(check.bytes!);
    const found = await current(kv, bytesOf(c, 1));
    const expected = bytesOf(c, 2);
    const ok = expected.length === 0 ? found === null : found !== null &&
      found.versionstamp === bytesToHex(expected);
    if (!ok) failed.push(index);
    if (found) op.check(found);
    index++;
  }
  if (failed.length > 0) {
    const out = new Encoder().varint(1, 2);
    for (const i of failed) out.varint(4, i);
    return out.done();
  }
  for (const mutation of fields.filter((f) => f.field === 2)) {
    const m = decode(mutation.bytes!);
    const key = bytesOf(m, 1);
    const type = numberOf(m, 3);
    const found = await current(kv, key);
    if (type === 1) {
      const value = decode(bytesOf(m, 2));
      const encoding = numberOf(value, 2);
      if (found && found.key[1] !== encoding) op.delete(found.key);
      op.set([key, encoding], bytesOf(value, 1).slice());
    } else if (type === 2) {
      if (found) op.delete(found.key);
    } else throw new BadRequest(`mutation type ${type} is not supported`);
  }
  const result = await op.commit();
  if (!result.ok) return new Encoder().varint(1, 2).done();
  return new Encoder().varint(1, 1).bytes(2, hexToBytes(result.versionstamp)).done();
}

class BadRequest extends Error {}

// ---- the HTTP side ----

/** Serves KV Connect on `port` over the local KV file at `path`. */
export async function serveKvConnect(
  port: number,
  path: string,
  token: string,
): Promise<Deno.HttpServer<Deno.NetAddr>> {
  const kv = await Deno.openKv(path);
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task, task);
    queue = run.catch(() => {});
    return run;
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (request) => {
    const url = new URL(request.url);
    const auth = request.headers.get("authorization");
    const body = new Uint8Array(await request.arrayBuffer());
    if (url.pathname === "/") {
      if (auth !== `Bearer ${token}`) {
        return new Response("invalid access token", { status: 401 });
      }
      return Response.json({
        version: 3,
        databaseId: DATABASE_ID,
        endpoints: [{ url: "/data", consistency: "strong" }],
        token: DATA_TOKEN,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
    }
    if (auth !== `Bearer ${DATA_TOKEN}`) return new Response("bad data token", { status: 401 });
    if (request.headers.get("x-denokv-database-id") !== DATABASE_ID) {
      return new Response("unknown database", { status: 404 });
    }
    try {
      const reply = url.pathname === "/data/snapshot_read"
        ? await serialised(() => snapshotRead(kv, body))
        : url.pathname === "/data/atomic_write"
        ? await serialised(() => atomicWrite(kv, body))
        : null;
      if (reply === null) return new Response("not found", { status: 404 });
      return new Response(reply, { headers: { "content-type": "application/x-protobuf" } });
    } catch (error) {
      return new Response(String(error), { status: error instanceof BadRequest ? 400 : 500 });
    }
  });
  server.finished.then(() => kv.close());
  return server;
}

if (import.meta.main) {
  const [port, path, token] = Deno.args;
  const server = await serveKvConnect(Number(port), path!, token!);
  console.log(`listening ${server.addr.port}`);
}
