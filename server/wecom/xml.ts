import { XMLBuilder, XMLParser } from 'fast-xml-parser';

/** Callback payloads are a few hundred bytes; anything near this is not WeCom. */
export const MAX_CALLBACK_XML_BYTES = 64 * 1024;

export class XmlRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlRejectedError';
  }
}

export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [key: string]: XmlValue;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  // Entities are never expanded: a DOCTYPE is refused before parsing, and `&…;` stays literal.
  processEntities: false,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
});

const builder = new XMLBuilder({ cdataPropName: '__cdata', suppressEmptyNode: false });

/**
 * Parses a callback XML document (`<xml>…</xml>`) into plain strings and nested objects.
 * Refuses oversized input and any DTD, so entity-expansion and external-entity tricks can't run.
 */
export function parseCallbackXml(text: string, maxBytes = MAX_CALLBACK_XML_BYTES): XmlObject {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new XmlRejectedError(`XML larger than ${maxBytes} bytes`);
  }
  return flatEnvelope(text) ?? parseFully(text);
}

/** The full parser's reading of a callback document (what the flat reading must equal); size unchecked. */
export function parseFully(text: string): XmlObject {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new XmlRejectedError('XML with a DTD is not accepted');
  let doc: unknown;
  try {
    doc = parser.parse(text, true);
  } catch (err) {
    throw new XmlRejectedError(`malformed XML: ${(err as Error).message}`);
  }
  const root = (doc as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw new XmlRejectedError('XML root element <xml> with children expected');
  }
  return root as XmlObject;
}

/**
 * `<xml>` holding only elements whose content is one CDATA section or plain text (no markup, no
 * `&`). Each part can end in one place only (a CDATA section at its first `]]>`, text at its first
 * `<`), so a hostile body costs linear time: the outer body of a delivery comes here unauthenticated.
 */
const FLAT_ENVELOPE = /^\s*<xml>(?:\s*<(\w+)>(?:<!\[CDATA\[(?:[^\]]|\](?!\]>))*\]\]>|[^<&]*)<\/\1>)*\s*<\/xml>\s*$/;
const FLAT_ELEMENT = /<(\w+)>(?:<!\[CDATA\[((?:[^\]]|\](?!\]>))*)\]\]>|([^<&]*))<\/\1>/g;

/**
 * An event of WeCom's usual shape — flat, each field one CDATA section or a bare number — read
 * with two linear patterns instead of the full parser: ingest parses every delivery, and the
 * parser's generality (attributes, nesting, entities) costs several times more. The answer is
 * what the parser gives for the same text (test/unit/callback-xml.test.ts); anything else —
 * nested lists (a group chat's members), a repeated element, self-closing tags, entities — is
 * left to the parser (undefined).
 */
function flatEnvelope(text: string): XmlObject | undefined {
  if (!FLAT_ENVELOPE.test(text)) return undefined;
  const fields: XmlObject = {};
  for (const [, name, cdata, plain] of text.matchAll(FLAT_ELEMENT)) {
    if (Object.hasOwn(fields, name!) || name === '__proto__') return undefined;
    // The parser trims text, not CDATA.
    fields[name!] = cdata ?? plain!.trim();
  }
  return fields;
}

/** Builds `<xml>…</xml>` with every string value in CDATA, the way WeCom sends events. */
export function buildCallbackXml(fields: Record<string, string | number | XmlObject | XmlObject[]>): string {
  return builder.build({ xml: wrapCdata(fields) }) as string;
}

function wrapCdata(value: unknown): unknown {
  if (typeof value === 'string') return { __cdata: value };
  if (Array.isArray(value)) return value.map(wrapCdata);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wrapCdata(v)]));
  }
  return value; // numbers (CreateTime) are written bare, as WeCom does
}

/** A string field of a parsed callback, or undefined. */
export function xmlText(obj: XmlObject, key: string): string | undefined {
  const v = obj[key];
  return typeof v === 'string' ? v : undefined;
}
