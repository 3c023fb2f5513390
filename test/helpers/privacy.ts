// One person seeded into every table that can hold them (a newsletter campaign's deliveries and
// a suppression of their address included), in the formats members, carriers and
// forms store numbers in, for the privacy tests (and the benchmark's shape).
import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { suppressionHash } from '../../workers/newsletter/suppression.js';
import { phoneHash } from '../../workers/sms/opt-outs.js';
import { localText, monthOf } from '../../workers/tem/calendar.js';
import { recomputeCallMonth } from '../../workers/tem/cost-rollup.js';
import { makePartitions } from '../../workers/tem/partitions.js';

export interface Person {
  readonly name: string;
  readonly email: string;
  /** E.164 */
  readonly phone: string;
}

const national = (e164: string) => `0${e164.slice(3)}`;

/** Every format the scan looks for. */
export const needlesOf = (p: Person) => [p.email, p.phone, `00${p.phone.slice(1)}`, national(p.phone), `${national(p.phone).slice(0, 2)}-${national(p.phone).slice(2)}`];

export async function seedPerson(db: Kysely<Database>, orgId: string, p: Person, suppressionKey: string, tag: string): Promise<void> {
  await makePartitions(db);
  await db.insertInto('contacts').values({ organization_id: orgId, role: 'main', name: p.name, email: p.email.toUpperCase(), phone: p.phone }).execute();
  await db.insertInto('users').values({ organization_id: orgId, username: `user-${tag}`, email: p.email, password_hash: 'scrypt$no-password', role: 'member' }).execute();
  const mail = await db.insertInto('mail_messages').values({ organization_id: orgId, purpose: 'password-reset', to_address: p.email, subject: 'Reset', text_body: `Beste ${p.name}, hier is je link.` }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('mail_outbox').values({ message_id: `<${mail.id}@tgg>`, envelope_from: 'noreply@tgg.test', envelope_to: [p.email], subject: 'Reset', raw: `To: ${p.email}\r\n\r\nBeste ${p.name}` }).execute();
  const batch = await db.insertInto('sms_batches').values({ organization_id: orgId, status: 'completed', sender: 'TGG', body: 'Hoi {naam}', chunk_size: 1000 }).returning('id').executeTakeFirstOrThrow();
  const message = await db
    .insertInto('sms_messages')
    .values({ batch_id: batch.id, organization_id: orgId, seq: 0, channel: 'sms', phone: p.phone, fields: JSON.stringify({ naam: p.name }), text: `Hoi ${p.name}`, destination: '+31', encoding: 'gsm7', segments: 1, cost: '0.07', status: 'delivered' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('sms_messages').values({ batch_id: batch.id, organization_id: orgId, seq: 1, channel: 'email', email: p.email, text: `Hoi ${p.name}`, destination: 'email', encoding: 'gsm7', segments: 1, cost: '0', status: 'sent' }).execute();
  await db.insertInto('sms_outbox').values({ message_id: message.id, sender: 'TGG', recipient: national(p.phone), text: `Hoi ${p.name}`, encoding: 'gsm7', segments: 1 }).execute();
  await db.insertInto('sms_replies').values({ organization_id: orgId, batch_id: batch.id, message_id: message.id, message_seq: 0, phone: p.phone, text: `Groet, ${p.name}` }).execute();
  await db.insertInto('sms_opt_outs').values({ organization_id: orgId, phone_hash: phoneHash(suppressionKey, p.phone), masked: '+31 6 ****' + p.phone.slice(-4), source: 'api' }).onConflict((oc) => oc.doNothing()).execute();
  const upload = await db.insertInto('tem_uploads').values({ organization_id: orgId, kind: 'cdr', sha256: `sha-${tag}`, size_bytes: 100, status: 'parsed' }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('tem_upload_chunks').values({ upload_id: upload.id, seq: 0, data: Buffer.from(`msisdn;naam\n00${p.phone.slice(1)};${p.name}\n`) }).execute();
  const now = new Date().toISOString();
  await db
    .insertInto('call_records')
    .values([
      { organization_id: orgId, upload_id: upload.id, line: 2, msisdn: `00${p.phone.slice(1)}`, user_name: p.name, started_at: now, call_type: 'voice', destination: '+31201234567', destination_masked: false, amount: '0.10', currency: 'EUR', roaming: false },
      { organization_id: orgId, upload_id: upload.id, line: 3, msisdn: '+31687650000', user_name: 'Collega', started_at: now, call_type: 'voice', destination: national(p.phone), destination_masked: false, amount: '0.10', currency: 'EUR', roaming: false },
    ])
    .execute();
  // Stored without a parse: their month of the cost report's rollup recomputed from the rows.
  await recomputeCallMonth(db, orgId, monthOf(localText(new Date(now))));
  await db.insertInto('tem_period_charges').values({ organization_id: orgId, upload_id: upload.id, line: 4, msisdn: p.phone, user_name: p.name, call_type: 'subscription', amount: '20.00', currency: 'EUR', period_start: '2026-12-01', period_end: '2026-12-31' }).execute();
  await db.insertInto('tem_subscriptions').values({ organization_id: orgId, msisdn: p.phone, holder_name: p.name }).execute();
  const invoiceUpload = await db.insertInto('tem_uploads').values({ organization_id: orgId, kind: 'einvoice', sha256: `inv-${tag}`, size_bytes: 100, status: 'parsed' }).returning('id').executeTakeFirstOrThrow();
  const invoiceId = randomUUID();
  await sql`INSERT INTO einvoices (id, organization_id, upload_id, syntax, number, credit_note, supplier_key, line_count, retain_from) VALUES (${invoiceId}, ${orgId}, ${invoiceUpload.id}, 'ubl-invoice', ${`F-${tag}`}, false, 'kpn', 1, now())`.execute(db);
  await db.insertInto('einvoice_lines').values({ invoice_id: invoiceId, organization_id: orgId, seq: 0, line_id: '1', subscription_ref: `${national(p.phone).slice(0, 2)}-${national(p.phone).slice(2)}`, item_name: 'Abonnement', item_description: `Abonnement ${p.name}` }).execute();
  const list = await db.insertInto('newsletter_lists').values({ organization_id: orgId, name: `Lijst ${tag}`, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const subscriber = await db.insertInto('newsletter_subscribers').values({ organization_id: orgId, list_id: list.id, email: p.email, name: p.name }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('newsletter_consents').values({ subscriber_id: subscriber.id, organization_id: orgId, list_id: list.id, method: 'sign-up', privacy_statement: '31 July 2018', ip_truncated: '127.0.0.0', legal_basis: 'consent' }).execute();
  await db.insertInto('newsletter_signups').values({ organization_id: orgId, list_id: list.id, email: p.email, name: p.name, privacy_statement: '31 July 2018', created_at: now }).execute();
  // A campaign that reached them, and an older one whose subscriber row is gone (found by the address's hash only).
  const hash = suppressionHash(suppressionKey, p.email);
  const campaign = await db.insertInto('newsletter_campaigns').values({ organization_id: orgId, list_id: list.id, subject: 'Nieuws voor {{name}}', html: '<p>Beste {{name}}</p>', status: 'completed', chunk_size: 500 }).returning('id').executeTakeFirstOrThrow();
  await db
    .insertInto('newsletter_deliveries')
    .values([
      { campaign_id: campaign.id, organization_id: orgId, seq: 0, subscriber_id: subscriber.id, address_hash: hash, status: 'sent', sent_at: new Date() },
      { campaign_id: campaign.id, organization_id: orgId, seq: 1, subscriber_id: null, address_hash: hash, status: 'bounced', smtp_code: 550 },
    ])
    .execute();
  await db.insertInto('mail_messages').values({ organization_id: orgId, purpose: 'newsletter-test', to_address: p.email, subject: '[TEST] Nieuws voor jou', text_body: `Beste ${p.name}` }).execute();
  await db.insertInto('newsletter_suppressions').values({ organization_id: orgId, address_hash: hash, reason: 'hard_bounce' }).onConflict((oc) => oc.doNothing()).execute();
}

export interface Hit {
  readonly table: string;
  readonly column: string;
  readonly row: string;
}

/** Every text, json, array and bytea column of every table, searched for each needle; the rows that hold one, as text. */
export async function scanDatabase(db: Kysely<Database>, needles: readonly string[]): Promise<Hit[]> {
  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema = 'public' AND c.data_type IN ('text', 'character varying', 'json', 'jsonb', 'bytea', 'ARRAY')`.execute(db);
  const hits: Hit[] = [];
  for (const { table_name, column_name, data_type } of columns.rows) {
    const asText = data_type === 'bytea' ? sql`encode(${sql.ref(column_name)}, 'escape')` : sql`${sql.ref(column_name)}::text`;
    const rows = await sql<{ row: string }>`SELECT ${asText} || ' ' || t::text AS row FROM ${sql.table(table_name)} t WHERE ${asText} ILIKE ANY(${needles.map((n) => `%${n}%`)}::text[])`.execute(db);
    for (const { row } of rows.rows) hits.push({ table: table_name, column: column_name, row });
  }
  return hits;
}
