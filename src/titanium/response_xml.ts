/**
 * `responseXML`: the body parsed (by `@xmldom/xmldom`) into a W3C DOM
 * document, typed by the small {@linkcode Document} interface below, the
 * DOM Level 2 core members Titanium's `Ti.XML.Document` code uses.
 *
 * As on Android, any body that is not binary (by its Content-Type) and is
 * well-formed XML is parsed, whatever its declared type (`text/plain`
 * included); binary types and text that is not XML give `null`.
 *
 * @module
 */

/** `@xmldom/xmldom`, loaded by {@linkcode loadXmlParser} once a body may be XML. */
let xmldom: typeof import("@xmldom/xmldom") | null = null;

/** Loads the parser; `send()` calls it before it reports a body that {@linkcode mayBeXml}. */
export async function loadXmlParser(): Promise<void> {
  xmldom ??= await import("@xmldom/xmldom");
}

/** Bytes that may come before the `<` of a document: white space, NULs (UTF-16/32), BOMs. */
const LEADING = new Set([0x09, 0x0a, 0x0d, 0x20, 0x00, 0xef, 0xbb, 0xbf, 0xfe, 0xff]);

/**
 * `true` when a body starting with `first` may parse as XML: its first byte
 * other than white space, NULs and byte-order marks is `<` (or there is none
 * yet), and the type is not a binary one.
 */
export function mayBeXml(first: Uint8Array | undefined, contentType: string | null): boolean {
  if (!first || first.byteLength === 0 || isBinaryType(contentType)) return false;
  for (const byte of first) if (!LEADING.has(byte)) return byte === 0x3c;
  return true;
}

/** A list of nodes, indexable and iterable. */
export interface NodeList<T extends Node = Node> extends Iterable<T> {
  /** How many nodes the list holds. */
  readonly length: number;
  /** The node at `index`, or `null`. */
  item(index: number): T | null;
  /** The node at `index`. */
  readonly [index: number]: T;
}

/** A node of an XML document. */
export interface Node {
  /** 1 element, 2 attribute, 3 text, 4 CDATA, 7 processing instruction, 8 comment, 9 document. */
  readonly nodeType: number;
  /** The tag name, `#text`, `#document`… */
  readonly nodeName: string;
  /** The text of a text, CDATA, comment or attribute node; `null` for others. */
  readonly nodeValue: string | null;
  /** The text of the node and its descendants. */
  readonly textContent: string | null;
  /** The children. */
  readonly childNodes: NodeList;
  /** The first child, or `null`. */
  readonly firstChild: Node | null;
  /** The last child, or `null`. */
  readonly lastChild: Node | null;
  /** The parent, or `null`. */
  readonly parentNode: Node | null;
  /** The next sibling, or `null`. */
  readonly nextSibling: Node | null;
  /** The previous sibling, or `null`. */
  readonly previousSibling: Node | null;
  /** Whether it has children. */
  hasChildNodes(): boolean;
}

/** An element. */
export interface Element extends Node {
  /** The qualified tag name. */
  readonly tagName: string;
  /** The local name (without a prefix). */
  readonly localName: string | null;
  /** An attribute's value, or `null` when absent. */
  getAttribute(name: string): string | null;
  /** Whether an attribute is present. */
  hasAttribute(name: string): boolean;
  /** Descendant elements named `name` (`"*"` for all), in document order. */
  getElementsByTagName(name: string): NodeList<Element>;
  /** Descendant elements by namespace and local name. */
  getElementsByTagNameNS(namespace: string | null, localName: string): NodeList<Element>;
}

/** A parsed XML document: what `responseXML` returns. `nodeType` is 9. */
export interface Document extends Node {
  /** The root element. */
  readonly documentElement: Element | null;
  /** Elements named `name` (`"*"` for all), in document order. */
  getElementsByTagName(name: string): NodeList<Element>;
  /** Elements by namespace and local name. */
  getElementsByTagNameNS(namespace: string | null, localName: string): NodeList<Element>;
  /** The element whose ID attribute is `id`, or `null`. */
  getElementById(id: string): Element | null;
}

const BINARY =
  /^(image|audio|video|font|model)\/|^application\/(octet-stream|pdf|zip|gzip|x-gzip|x-tar|x-7z-compressed|wasm|vnd\.ms-|msword)/;

/** Whether the Content-Type says the body is not text. */
export function isBinaryType(contentType: string | null): boolean {
  const essence = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return !essence.endsWith("+xml") && BINARY.test(essence); // image/svg+xml is text
}

/** Parses `text` as XML unless the type is binary; `null` when it is not well-formed XML. */
export function parseResponseXml(text: string, contentType: string | null): Document | null {
  if (isBinaryType(contentType) || !text.replace(/^\uFEFF/, "").trimStart().startsWith("<")) {
    return null;
  }
  try {
    if (!xmldom) return null; // not loaded: `send()` found the body could not be XML
    const { DOMParser, onErrorStopParsing } = xmldom;
    const document: Document = new DOMParser({ onError: onErrorStopParsing })
      .parseFromString(text, "text/xml");
    return document.documentElement ? document : null;
  } catch {
    return null;
  }
}
