/**
 * `responseXML`: the body parsed by `@xmldom/xmldom` into a W3C DOM
 * `Document`, when the response is XML.
 *
 * @module
 */

import { type Document, DOMParser, onErrorStopParsing } from "@xmldom/xmldom";

export type { Document };

/** `text/xml`, `application/xml` and every `+xml` type (`image/svg+xml`, `application/atom+xml`…). */
export function isXmlType(contentType: string | null): boolean {
  if (contentType === null) return false;
  const essence = contentType.split(";")[0]!.trim().toLowerCase();
  return essence === "text/xml" || essence === "application/xml" || essence.endsWith("+xml");
}

/**
 * Parses `text` when `contentType` is an XML type, or when there is no
 * Content-Type and the body starts with an XML declaration. `null` for
 * anything else and for XML that is not well-formed.
 */
export function parseResponseXml(text: string, contentType: string | null): Document | null {
  const xml = isXmlType(contentType) ||
    (contentType === null && text.trimStart().startsWith("<?xml"));
  if (!xml) return null;
  try {
    return new DOMParser({ onError: onErrorStopParsing }).parseFromString(text, "text/xml");
  } catch {
    return null;
  }
}
