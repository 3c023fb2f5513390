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

interface Step {
  readonly uri: string | undefined;
  readonly local: string;
}

// Paths are a few dozen literals, each read for every invoice line: split once.
const steps = new Map<string, readonly Step[]>();
function stepsOf(path: string): readonly Step[] {
  let parsed = steps.get(path);
  if (!parsed) {
    parsed = path.split('/').map((name) => {
      const [prefix, local] = name.split(':') as [string, string];
      return { uri: NS[prefix], local };
    });
    steps.set(path, parsed);
  }
  return parsed;
}

const matches = (node: XmlNode, step: Step) => node.local === step.local && node.uri === step.uri;

/** Every element at the end of the path ('cac:Party/cbc:Name'), in document order. */
export function all(node: XmlNode | undefined, path: string): XmlNode[] {
  let level = node ? [node] : [];
  for (const step of stepsOf(path)) {
    const next: XmlNode[] = [];
    for (const n of level) for (const c of n.children) if (matches(c, step)) next.push(c);
    level = next;
  }
  return level;
}

/** The first element at the end of the path, depth first. */
function first(node: XmlNode, path: readonly Step[], at: number): XmlNode | undefined {
  const step = path[at];
  if (!step) return node;
  for (const c of node.children) {
    if (!matches(c, step)) continue;
    const found = first(c, path, at + 1);
    if (found) return found;
  }
  return undefined;
}

export const one = (node: XmlNode | undefined, path: string): XmlNode | undefined => (node ? first(node, stepsOf(path), 0) : undefined);

/** The trimmed text at the path, or null when absent or empty. */
export function text(node: XmlNode | undefined, path: string): string | null {
  const value = one(node, path)?.text.trim();
  return value ? value : null;
}

export const attr = (node: XmlNode | undefined, path: string, name: string): string | null => one(node, path)?.attrs[name] ?? null;

export const is = (node: XmlNode, name: string) => matches(node, stepsOf(name)[0]!);

/** The currencyID attributes of these elements (amounts), where they have one. */
export const currencyIds = (nodes: readonly XmlNode[]): string[] => nodes.flatMap((n) => (n.attrs.currencyID === undefined ? [] : [n.attrs.currencyID]));
