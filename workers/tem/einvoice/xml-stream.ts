// A streaming XML reader (saxes) with explicit limits: any DOCTYPE is refused before an entity
// can be read (no XXE, no billion laughs: saxes resolves no external entity and makes no
// request, and the DOCTYPE event comes before any reference to one), depth and text limited,
// and so is what the tree holds at once (elements and characters outside detached lines).
// Elements are matched by namespace URI and local name; the caller detaches the elements it
// handles one by one (invoice lines) so the tree kept stays the size of a header.
import { SaxesParser } from 'saxes';
import { PROLOG_BYTES, xmlEncoding } from './xml-encoding.js';
import { XmlProblem } from './xml-problem.js';

export const MAX_XML_DEPTH = 48;
/** Text of one element kept at most (an embedded attachment's base64 is skipped, not kept). */
export const MAX_TEXT_CHARS = 64 * 1024;
/**
 * Elements and characters (text and attribute values) the tree holds at once: the header and
 * the line being read (a detached line gives its share back). A real header has a few hundred
 * elements; without a bound, 200 MB of `<cbc:Note/>` kept ~20 million nodes and ran the worker
 * out of memory.
 */
export const MAX_KEPT_ELEMENTS = 20_000;
/**
 * Attributes of one element (a UBL root declares a dozen namespaces; an amount has one or two).
 * saxes holds a tag's attributes until the tag ends (4 million empty ones, 50 MB, took 1.9 GB),
 * so those of a tag still open are counted after each chunk too (its `attribute` event would
 * count each as read, but slowed the whole parse threefold).
 */
export const MAX_ATTRIBUTES = 256;
const tooManyAttributes = () => new XmlProblem('xml-too-many-attributes', `an element with more than ${MAX_ATTRIBUTES} attributes`);
/** The attributes saxes holds for the start tag it is reading (none between tags). */
const pendingAttributes = (parser: SaxesParser) => (parser as unknown as { attribList?: readonly unknown[] }).attribList?.length ?? 0;
export const MAX_KEPT_CHARS = 4 * 1024 * 1024;
/**
 * What saxes holds of the text, comment, attribute value or name it is reading: all of it until
 * its end ('<', '-->', the quote), the bounds above only see it then (one 200 MB comment was held
 * whole). Checked after each chunk, as the attributes are.
 */
const pendingChars = (parser: SaxesParser) => {
  const held = parser as unknown as { text?: string; name?: string };
  return { text: held.text?.length ?? 0, name: held.name?.length ?? 0 };
};
const tooMuchText = () => new XmlProblem('xml-too-much-text', `more than ${MAX_KEPT_CHARS} characters of text outside invoice lines`);

export interface XmlNode {
  readonly uri: string;
  readonly local: string;
  readonly attrs: Readonly<Record<string, string>>;
  text: string;
  readonly children: XmlNode[];
}

export interface XmlReadOptions {
  /** Handed each such element when it closes; it is then dropped from the tree. */
  readonly detach?: (node: XmlNode) => boolean;
  readonly onDetached?: (node: XmlNode) => void;
  /** Elements whose text is skipped (attachments). */
  readonly skipText?: (node: XmlNode) => boolean;
  /** Called after each chunk is fed, for the caller's batched writes. */
  readonly afterChunk?: () => Promise<void>;
  /** Stops at the root element's start tag. */
  readonly rootOnly?: boolean;
  /** The charset the sender named (canonical), or null: the document's BOM and declaration decide (xml-encoding.ts). */
  readonly charset?: string | null;
}

const SKIPPED = Symbol('skipped');
/** An element with children: its text is the whitespace between them (UBL and CII have no mixed content), not kept. */
const CONTAINER = Symbol('container');

function newParser(options: XmlReadOptions, onRoot: (root: XmlNode) => void): { parser: SaxesParser; done: () => XmlNode | null; inSkipped: () => boolean } {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: (XmlNode & { [SKIPPED]?: boolean; [CONTAINER]?: boolean })[] = [];
  let root: XmlNode | null = null;
  // What the tree holds, and beside the stack what it held before each open element: a detached element gives its share back.
  let keptElements = 0;
  let keptChars = 0;
  const keptBefore: number[] = [];
  const keep = (chars: number) => {
    keptChars += chars;
    if (keptChars > MAX_KEPT_CHARS) throw tooMuchText();
  };
  parser.on('doctype', () => {
    throw new XmlProblem('xml-doctype', 'a DOCTYPE is not accepted (no DTDs, no entities)');
  });
  parser.on('opentag', (tag) => {
    if (stack.length >= MAX_XML_DEPTH) throw new XmlProblem('xml-too-deep', `elements nested deeper than ${MAX_XML_DEPTH}`);
    keptBefore.push(keptElements, keptChars);
    if (++keptElements > MAX_KEPT_ELEMENTS) throw new XmlProblem('xml-too-many-elements', `more than ${MAX_KEPT_ELEMENTS} elements outside invoice lines`);
    const attrs: Record<string, string> = {};
    const all = Object.values(tag.attributes);
    if (all.length > MAX_ATTRIBUTES) throw tooManyAttributes();
    for (const attr of all) {
      if (typeof attr === 'string' || attr.uri !== '' || attr.prefix !== '') continue;
      keep(attr.value.length);
      attrs[attr.local] = attr.value;
    }
    const node: XmlNode & { [SKIPPED]?: boolean } = { uri: tag.uri ?? '', local: tag.local ?? tag.name, attrs, text: '', children: [] };
    if (options.skipText?.(node)) node[SKIPPED] = true;
    const parent = stack.at(-1);
    if (!parent) {
      root = node;
      onRoot(node);
    } else if (!parent[CONTAINER]) {
      parent[CONTAINER] = true;
      keptChars -= parent.text.length;
      parent.text = '';
    }
    stack.push(node);
  });
  // A CDATA section is text as any other (an amount or an item name wrapped in one was read as missing).
  const onText = (text: string) => {
    const node = stack.at(-1);
    if (!node || node[SKIPPED] || node[CONTAINER]) return;
    if (node.text.length + text.length > MAX_TEXT_CHARS) throw new XmlProblem('xml-text-too-long', `an element's text is longer than ${MAX_TEXT_CHARS} characters`);
    keep(text.length);
    node.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const node = stack.pop();
    const charsBefore = keptBefore.pop() ?? 0;
    const elementsBefore = keptBefore.pop() ?? 0;
    const parent = stack.at(-1);
    if (!node || !parent) return;
    if (options.detach?.(node)) {
      options.onDetached?.(node);
      keptElements = elementsBefore;
      keptChars = charsBefore;
    } else parent.children.push(node);
  });
  // An embedded attachment's text (skipped, not kept) may be longer: saxes still holds it until its end.
  return { parser, done: () => root, inSkipped: () => stack.at(-1)?.[SKIPPED] === true };
}

class RootFound extends Error {}

/** Reads the whole document; returns the root with the detached elements left out. */
export async function readXml(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, options: XmlReadOptions = {}): Promise<XmlNode> {
  const { parser, done, inSkipped } = newParser(options, () => {
    if (options.rootOnly) throw new RootFound();
  });
  const feed = (text: string) => {
    parser.write(text);
    if (pendingAttributes(parser) > MAX_ATTRIBUTES) throw tooManyAttributes();
    const pending = pendingChars(parser);
    if (pending.name > MAX_KEPT_CHARS || (pending.text > MAX_KEPT_CHARS && !inSkipped())) throw tooMuchText();
  };
  // Made from the first PROLOG_BYTES (the chunks before them are held): the encoding is told by the BOM and the declaration.
  let decoder: InstanceType<typeof TextDecoder> | null = null;
  let head: Buffer[] = [];
  let headBytes = 0;
  const decoderFor = (prefix: Buffer) => new TextDecoder(xmlEncoding(prefix, options.charset ?? null), { fatal: true });
  try {
    for await (const chunk of chunks) {
      if (decoder) feed(decoder.decode(chunk, { stream: true }));
      else {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes < PROLOG_BYTES) continue;
        const prefix = Buffer.concat(head);
        head = [];
        decoder = decoderFor(prefix);
        feed(decoder.decode(prefix, { stream: true }));
      }
      await options.afterChunk?.();
    }
    if (!decoder) {
      const prefix = Buffer.concat(head);
      decoder = decoderFor(prefix);
      feed(decoder.decode(prefix, { stream: true }));
    }
    feed(decoder.decode());
    parser.close();
  } catch (error) {
    if (error instanceof RootFound) return done()!;
    if (error instanceof XmlProblem) throw error;
    if (error instanceof TypeError) throw new XmlProblem('xml-encoding', `the file is not valid ${decoder?.encoding ?? 'utf-8'}`);
    throw new XmlProblem('malformed-xml', `the file is not well-formed XML (${(error as Error).message.split('\n')[0]?.slice(0, 200)})`);
  }
  const root = done();
  if (!root) throw new XmlProblem('malformed-xml', 'the file has no root element');
  return root;
}
