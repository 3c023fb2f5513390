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

function reportType(mail: ParsedMail): string | undefined {
  const type = mail.headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
  if (type?.value?.toLowerCase() !== 'multipart/report') return undefined;
  return type.params?.['report-type']?.toLowerCase();
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
  const type = reportType(mail);
  if (type !== 'delivery-status' && type !== 'feedback-report') return null;
  const deliveryId = deliveryNamed(mail, verp);
  if (deliveryId === null) return null;
  if (type === 'feedback-report') return partText(mail, ['message/feedback-report']) ? { kind: 'complaint', deliveryId } : null;
  const status = partText(mail, ['message/delivery-status', 'message/global-delivery-status']);
  return status ? { kind: dsnKind(status), deliveryId } : null;
}
