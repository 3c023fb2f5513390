// The reader of each syntax, chosen by an element's namespace.
import { ciiReader } from './cii.js';
import type { SyntaxReader } from './model.js';
import { ublReader } from './ubl.js';
import type { XmlNode } from './xml-stream.js';

const CII_URIS = ['urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100', 'urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100'];

export const readerOf = (node: XmlNode): SyntaxReader => (CII_URIS.includes(node.uri) ? ciiReader : ublReader);
export const isLine = (node: XmlNode) => ublReader.isLine(node) || ciiReader.isLine(node);
