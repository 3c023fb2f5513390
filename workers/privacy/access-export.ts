// The access export (art. 15, 20): everything held on the person's address or number across
// every family's tables, each category with its purpose, retention, legal basis and recipients
// from the policy table, as one JSON document and a readable HTML page. Stored for 7 days
// behind a signed link mailed to the verified address; the purge deletes it after.
import { sql, type Kysely } from 'kysely';
import type { Database, PrivacyRequest } from '../../db/schema.js';
import { insertMail } from '../mail/mail-messages.js';
import { DEFAULT_RETENTION_SETTINGS, PROCESSORS, policyOf, type RetentionCategory } from '../retention/category.js';
import { FAMILIES } from '../families.js';
import type { Found, Subject } from './reach.js';
import { bilingualMail } from './bilingual.js';
import { findEverywhere } from './reaches.js';
import { mailableAddress } from './requests.js';
import { signLink } from './signed-link.js';
import { escapeHtml } from '../core/escape-html.js';

export const EXPORT_VALID_DAYS = 7;

const asText = (v: unknown): string => (v instanceof Date ? v.toISOString() : typeof v === 'object' && v !== null ? JSON.stringify(v) : typeof v === 'string' ? v : v === null || v === undefined ? '' : JSON.stringify(v));
const escapeValue = (value: unknown): string => escapeHtml(asText(value));

const NOT_IN_POLICY: Record<string, Pick<RetentionCategory, 'purpose' | 'keepText' | 'legalBasis'>> = {
  'sms.opt-outs': { purpose: 'never texting you again after you opted out (P12)', keepText: 'while the opt-out stands; only a keyed hash and a masked number', legalBasis: 'GDPR art. 21(3) and 6(1)(c)' },
  'newsletter.suppressions': {
    purpose: 'never mailing a newsletter to your address again after an unsubscribe, a bounce, a complaint or an objection (P12)',
    keepText: 'while the suppression stands, also after an erasure; only a keyed hash of the address',
    legalBasis: 'GDPR art. 21(3) and 6(1)(c)',
  },
  'privacy.requests': { purpose: 'answering your privacy requests', keepText: 'identifiers until the request is done; then keyed hashes only', legalBasis: 'GDPR art. 6(1)(c): art. 12-22' },
};

export function exportDocument(request: Pick<PrivacyRequest, 'id' | 'received_at'>, subject: Subject, found: Found) {
  const policy = new Map(policyOf(FAMILIES, DEFAULT_RETENTION_SETTINGS).map((c) => [c.category, c]));
  return {
    request: { id: request.id, receivedAt: request.received_at.toISOString(), madeAt: new Date().toISOString() },
    controller: 'Telegrootgebruik B.V. (TGG)',
    identifiers: { email: subject.emails[0] ?? null, phone: subject.e164[0] ?? null },
    categories: Object.entries(found)
      .filter(([, items]) => items.length > 0)
      .map(([category, items]) => {
        const c: Partial<RetentionCategory> | undefined = policy.get(category) ?? NOT_IN_POLICY[category];
        return {
          category,
          purpose: c?.purpose ?? null,
          retention: c?.keepText ?? null,
          legalBasis: c?.legalBasis ?? null,
          recipients: (c?.processors ?? []).map((p) => PROCESSORS[p].name),
          items: items.map((i) => ({ table: i.table, id: i.id, organizationId: i.organizationId, ...i.data })),
        };
      }),
  };
}

export function exportHtml(document: ReturnType<typeof exportDocument>): string {
  const sections = document.categories
    .map((c) => {
      const rows = c.items.map((i) => `<tr>${Object.entries(i).map(([k, v]) => `<td><b>${escapeHtml(k)}</b>: ${escapeValue(v)}</td>`).join('')}</tr>`);
      return `<h2>${escapeHtml(c.category)}</h2><p>Doel / purpose: ${escapeValue(c.purpose)}<br>Bewaartermijn / retention: ${escapeValue(c.retention)}<br>Grondslag / legal basis: ${escapeValue(c.legalBasis)}<br>Ontvangers / recipients: ${escapeHtml(c.recipients.join(', ') || '-')}</p><table>${rows.join('')}</table>`;
    })
    .join('\n');
  return `<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Uw gegevens bij TGG / Your data at TGG</title></head><body><h1>Uw gegevens bij TGG / Your data at TGG</h1><p>Verzoek / request ${escapeHtml(document.request.id)}, ${escapeHtml(document.request.madeAt)}</p>${sections || '<p>Wij vonden geen gegevens. / We found no data.</p>'}</body></html>`;
}

/** Gathers, stores and mails the export link (to the verified address only: P11); the mail's id. */
export async function makeExport(db: Kysely<Database>, request: PrivacyRequest, subject: Subject, settings: { secretKey: string; publicUrl: string }) {
  const found = await findEverywhere(db, subject);
  const document = exportDocument(request, subject, found);
  const counts = Object.fromEntries(Object.entries(found).map(([category, items]) => [category, { found: items.length }]));
  return db.transaction().execute(async (trx) => {
    const stored = await trx
      .insertInto('privacy_exports')
      .values({ request_id: request.id, document: JSON.stringify(document), html: exportHtml(document), expires_at: sql`now() + ${`${EXPORT_VALID_DAYS} days`}::interval` })
      .returning(['id', 'expires_at'])
      .executeTakeFirstOrThrow();
    const to = mailableAddress(request);
    let mailId: string | undefined;
    if (to) {
      const link = `${settings.publicUrl}/public/privacy-exports/${stored.id}?token=${signLink(settings.secretKey, 'privacy-export', stored.id, stored.expires_at)}`;
      const mail = bilingualMail((m) => m.exportMail({ link, days: EXPORT_VALID_DAYS }));
      mailId = await insertMail(trx, { organization_id: null, purpose: 'privacy-export', to_address: to, subject: mail.subject, text_body: mail.text, html_body: null });
    }
    return { counts, mailId, exportId: stored.id };
  });
}

export async function findExport(db: Kysely<Database>, id: string) {
  return db.selectFrom('privacy_exports').select(['document', 'html']).where('id', '=', id).where('expires_at', '>', sql<Date>`now()`).executeTakeFirst();
}

/** The export made for a request, while its 7 days last: ops hand it over when no verified address could get the link. */
export async function findExportOfRequest(db: Kysely<Database>, requestId: string) {
  return db.selectFrom('privacy_exports').select(['document', 'html']).where('request_id', '=', requestId).where('expires_at', '>', sql<Date>`now()`).orderBy('created_at', 'desc').executeTakeFirst();
}
