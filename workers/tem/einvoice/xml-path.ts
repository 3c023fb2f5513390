// Reading a kept XML tree by namespace URI: `q` names an element by our own prefixes, mapped
// to URIs here, so a document's own prefixes never matter.
import type { XmlNode } from './xml-stream.js';

const NS: Readonly<Record<string, string>> = {
  cac: 'urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2',
  cbc: 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2',
  rsm: 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100',
  ram: 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100',
  udt: 'urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100',
};

function matches(node: XmlNode, name: string): boolean {
  const [prefix, local] = name.split(':') as [string, string];
  return node.local === local && node.uri === NS[prefix];
}

/** Every element at the end of the path ('cac:Party/cbc:Name'), in document order. */
export function all(node: XmlNode | undefined, path: string): XmlNode[] {
  let level = node ? [node] : [];
  for (const step of path.split('/')) level = level.flatMap((n) => n.children.filter((c) => matches(c, step)));
  return level;
}

export const one = (node: XmlNode | undefined, path: string): XmlNode | undefined => all(node, path)[0];

/** The trimmed text at the path, or null when absent or empty. */
export function text(node: XmlNode | undefined, path: string): string | null {
  const value = one(node, path)?.text.trim();
  return value ? value : null;
}

export const attr = (node: XmlNode | undefined, path: string, name: string): string | null => one(node, path)?.attrs[name] ?? null;

export const is = (node: XmlNode, name: string) => matches(node, name);
