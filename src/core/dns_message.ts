/**
 * The DNS wire format (RFC 1035 §4), just enough for address lookups: a
 * query for one name and type, and the addresses of an answer. Used for
 * DNS over HTTPS (RFC 8484), which carries these messages as HTTP bodies.
 *
 * @module
 */

/** Record types this module asks for. */
export const RecordType = { A: 1, AAAA: 28 } as const;

/** What an answer says about one name. */
export interface DnsAnswer {
  /** The response code: 0 no error, 2 server failure, 3 no such name, … */
  readonly rcode: number;
  /** The addresses of the asked type, in the order given (CNAME chains followed by the server). */
  readonly addresses: string[];
}

/** Encodes a recursive query for `name` (a host name without a trailing dot) and `type`. */
export function encodeQuery(name: string, type: number, id = 0): Uint8Array<ArrayBuffer> {
  const labels = name.replace(/\.$/, "").split(".").map((label) => new TextEncoder().encode(label));
  for (const label of labels) {
    if (label.length === 0 || label.length > 63) throw new RangeError(`bad DNS name '${name}'`);
  }
  const size = 12 + labels.reduce((n, label) => n + 1 + label.length, 0) + 1 + 4;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint16(0, id);
  view.setUint16(2, 0x0100); // RD: recursion desired
  view.setUint16(4, 1); // QDCOUNT
  let offset = 12;
  for (const label of labels) {
    out[offset++] = label.length;
    out.set(label, offset);
    offset += label.length;
  }
  out[offset++] = 0;
  view.setUint16(offset, type);
  view.setUint16(offset + 2, 1); // class IN
  return out;
}

/** Decodes the response code and the `type` addresses of an answer. Throws on a malformed message. */
export function decodeAnswer(message: Uint8Array, type: number): DnsAnswer {
  if (message.length < 12) throw new RangeError("DNS message shorter than its header");
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const flags = view.getUint16(2);
  if ((flags & 0x8000) === 0) throw new RangeError("DNS message is not a response");
  const rcode = flags & 0x000f;
  const questions = view.getUint16(4);
  const answers = view.getUint16(6);
  let offset = 12;
  for (let i = 0; i < questions; i++) offset = skipName(message, offset) + 4;
  const addresses: string[] = [];
  for (let i = 0; i < answers; i++) {
    offset = skipName(message, offset);
    if (offset + 10 > message.length) throw new RangeError("DNS record runs past the message");
    const recordType = view.getUint16(offset);
    const length = view.getUint16(offset + 8);
    const data = offset + 10;
    if (data + length > message.length) throw new RangeError("DNS record runs past the message");
    if (recordType === type && type === RecordType.A && length === 4) {
      addresses.push(message.subarray(data, data + 4).join("."));
    } else if (recordType === type && type === RecordType.AAAA && length === 16) {
      addresses.push(ipv6(message.subarray(data, data + 16)));
    }
    offset = data + length;
  }
  return { rcode, addresses };
}

/** The offset just past a (possibly compressed) name. */
function skipName(message: Uint8Array, offset: number): number {
  while (offset < message.length) {
    const length = message[offset]!;
    if (length === 0) return offset + 1;
    if ((length & 0xc0) === 0xc0) return offset + 2; // a pointer ends the name
    offset += 1 + length;
  }
  throw new RangeError("DNS name runs past the message");
}

function ipv6(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(":");
}
