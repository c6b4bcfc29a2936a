/** MOR-style XML output: `<?xml version="1.0" encoding="UTF-8"?>`, element names as MOR emits them, `<x/>` for empty. */
import { XMLBuilder } from 'fast-xml-parser';

/**
 * An XML element tree: objects are elements in key order, arrays repeat an element, scalars are text;
 * `null` or '' prints an empty element `<x/>`, `undefined` leaves the element out. A key starting with
 * `@_` is an attribute of its element (`{ statement: { '@_type': 'invoices', count: 3 } }`).
 */
export type XmlValue = string | number | bigint | boolean | null | undefined | XmlNode | XmlValue[];
export interface XmlNode {
  [element: string]: XmlValue;
}

const builder = new XMLBuilder({
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  processEntities: true,
});

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** Normalises scalars (bigint, boolean, null) so the builder prints them as MOR would. */
function normalise(value: XmlValue): unknown {
  if (value === null || value === undefined) return '';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (Array.isArray(value)) return value.map(normalise);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) if (child !== undefined) out[key] = normalise(child);
    return out;
  }
  return value;
}

export function renderXml(document: XmlNode): string {
  return `${XML_DECLARATION}\n${builder.build(normalise(document)) as string}`;
}
