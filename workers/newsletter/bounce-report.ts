// Reading one mail from the bounce mailbox: is it a bounce or complaint about one of our
// deliveries? Only a multipart/report counts: a delivery status notification (RFC 3464:
// a recipient's `Action: failed` with `Status: 5.x.x` is hard, `4.x.x` soft; `delayed`,
// `delivered`, `relayed` and `expanded` are no bounce) or an abuse report (RFC 5965 ARF,
// `message/feedback-report`: a complaint). An out-of-office reply is never a report, so never
// a bounce. The delivery is the one whose VERP return path (verp.ts, our tag checked) the
// report names: in its To/Delivered-To headers, or in the returned message's headers.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { BounceKind } from './bounces.js';
import { parseVerp, type VerpSettings } from './verp.js';

export type BounceReport =
  | { readonly kind: BounceKind; readonly deliveryId: number }
  /** Ours, but no bounce (a delay warning, a success notice). */
  | { readonly kind: 'none'; readonly deliveryId: number };

const VERP_CANDIDATE = /bounces\+\d{1,15}\.[0-9a-f]{20}@[a-z0-9.-]+/gi;
const ADDRESS_HEADERS = ['to', 'delivered-to', 'x-original-to', 'envelope-to', 'x-failed-recipients'];

function reportOf(mail: ParsedMail): { type: string; boundary: string } | undefined {
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report') return undefined;
  return { type: type.params?.['report-type']?.toLowerCase() ?? '', boundary: type.params?.boundary ?? '' };
}

/**
 * The body of the report's top-level part of the given type, from the raw source: mailparser
 * folds a message/delivery-status part into the text rather than listing it. Such parts are
 * 7-bit field lists (RFC 3464 §2.1), so no transfer decoding is needed.
 */
function rawPart(source: Buffer, boundary: string, types: readonly string[]): string {
  if (!boundary) return '';
  const parts = source.toString('latin1').split(`--${boundary}`).slice(1, -1);
  for (const part of parts) {
    const split = /\r?\n\r?\n/.exec(part);
    if (!split) continue;
    const headers = part.slice(0, split.index);
    const type = /^content-type:\s*([^;\s]+)/im.exec(headers)?.[1]?.toLowerCase();
    if (type && types.includes(type)) return part.slice(split.index + split[0].length);
  }
  return '';
}

/** Fields of an RFC 822-style block ("Name: value", continuation lines folded), lower-cased names. */
function fieldBlocks(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((block) => new Map(block.split('\n').flatMap((line) => {
      const at = line.indexOf(':');
      return at > 0 ? [[line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim()] as [string, string]] : [];
    })))
    .filter((fields) => fields.size > 0);
}

function partText(mail: ParsedMail, types: readonly string[]): string {
  return mail.attachments.filter((a) => types.includes(a.contentType.toLowerCase())).map((a) => a.content.toString('utf8')).join('\n\n');
}

/** hard, soft, or undefined (no recipient failed) from a message/delivery-status part. */
function dsnKind(status: string): BounceKind | 'none' {
  let kind: BounceKind | 'none' = 'none';
  for (const fields of fieldBlocks(status).slice(1)) {
    if (fields.get('action')?.toLowerCase() !== 'failed') continue;
    const code = /^([245])\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[1];
    if (code === '5') return 'hard';
    if (code === '4') kind = 'soft';
  }
  return kind;
}

function deliveryNamed(mail: ParsedMail, verp: VerpSettings): number | null {
  const headerText = ADDRESS_HEADERS.flatMap((name) => {
    const value = mail.headers.get(name) as { text?: string } | string | undefined;
    return typeof value === 'string' ? [value] : value?.text ? [value.text] : [];
  });
  const returned = partText(mail, ['message/rfc822', 'text/rfc822-headers', 'message/rfc822-headers']);
  const headerOnly = returned.split(/\r?\n\r?\n/)[0] ?? '';
  for (const text of [...headerText, headerOnly]) {
    for (const candidate of text.match(VERP_CANDIDATE) ?? []) {
      const id = parseVerp(verp, candidate);
      if (id !== null) return id;
    }
  }
  return null;
}

export async function readBounceReport(source: Buffer, verp: VerpSettings): Promise<BounceReport | null> {
  const mail = await simpleParser(source, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const report = reportOf(mail);
  const type = report?.type;
  if (!report || (type !== 'delivery-status' && type !== 'feedback-report')) return null;
  const deliveryId = deliveryNamed(mail, verp);
  if (deliveryId === null) return null;
  if (type === 'feedback-report') return partText(mail, ['message/feedback-report']) ? { kind: 'complaint', deliveryId } : null;
  const status = rawPart(source, report.boundary, ['message/delivery-status', 'message/global-delivery-status']);
  return status ? { kind: dsnKind(status), deliveryId } : null;
}
