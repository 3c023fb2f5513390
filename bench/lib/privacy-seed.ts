// The privacy benchmark's bulk data, written by Postgres itself (INSERT … SELECT over
// generate_series, no row crosses the wire): organisations, SMS batches and messages, call
// records in their monthly partitions with the subscriptions, charges and invoice lines of
// their numbers, newsletter lists, subscribers with their consents, campaigns and deliveries,
// suppressions, opt-outs, replies, mail, users, contacts and finished privacy requests. Every
// number and address is made up and none is the benchmark's person's (see PERSON_* in
// bench/privacy.ts: their number is outside the generated ranges).
import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export interface SeedSize {
  readonly organizations: number;
  readonly smsMessages: number;
  readonly callRecords: number;
  readonly subscribers: number;
}

/** Each step: its name and the statement, run in order; the step's time is printed. */
function steps(size: SeedSize): [string, ReturnType<typeof sql>][] {
  const orgs = sql`(SELECT array_agg(id ORDER BY slug) FROM organizations)`;
  const n = size.organizations;
  const batches = Math.max(1, Math.ceil(size.smsMessages / 10_000));
  const perBatch = Math.ceil(size.smsMessages / batches);
  return [
    ['users and contacts', sql`
      WITH o AS (SELECT ${orgs} AS ids)
      , u AS (INSERT INTO users (organization_id, username, email, password_hash, role)
          SELECT ids[1 + i % ${n}], 'user' || i, 'medewerker' || i || '@bench' || (i % ${n}) || '.nl', 'scrypt$no-password', 'member' FROM o, generate_series(1, 25 * ${n}) i)
      INSERT INTO contacts (organization_id, role, name, email, phone)
        SELECT ids[1 + i % ${n}], 'main', 'Contact ' || i, 'contact' || i || '@bench' || (i % ${n}) || '.nl', '+3120' || (1000000 + i) FROM o, generate_series(1, 250 * ${n}) i`],
    ['SMS batches', sql`
      INSERT INTO sms_batches (organization_id, status, sender, body, reference, chunk_size, accepted, created_at)
        SELECT (${orgs})[1 + b % ${n}], 'completed', 'TGG', 'Beste {{naam}}, uw afspraak is morgen.', 'bench', 1000, ${perBatch}, now() - make_interval(hours => b)
        FROM generate_series(0, ${batches - 1}) b`],
    // Numbers as the SMS family stores them (E.164), +316 then 10,000,000-59,999,999; one in 20 messages goes by e-mail.
    ['SMS messages', sql`
      INSERT INTO sms_messages (batch_id, organization_id, seq, channel, phone, email, fields, text, destination, encoding, segments, cost, status, created_at, sent_at, delivered_at)
        SELECT b.id, b.organization_id, s,
          CASE WHEN s % 20 = 0 THEN 'email' ELSE 'sms' END,
          CASE WHEN s % 20 = 0 THEN NULL ELSE '+316' || (10000000 + ((b.n * ${perBatch} + s)::bigint * 7919) % 50000000) END,
          CASE WHEN s % 20 = 0 THEN 'klant' || (b.n * ${perBatch} + s) || '@voorbeeld' || (s % 97) || '.nl' END,
          '{"naam":"Jan"}'::jsonb, 'Beste Jan, uw afspraak is morgen.', CASE WHEN s % 20 = 0 THEN 'email' ELSE '+31' END, 'gsm7', 1, 0.07, 'delivered',
          b.created_at, b.created_at, b.created_at + interval '5 seconds'
        FROM (SELECT id, organization_id, created_at, row_number() OVER (ORDER BY created_at, id) - 1 AS n FROM sms_batches WHERE reference = 'bench') b, generate_series(0, ${perBatch - 1}) s`],
    ['SMS replies, outbox, opt-outs', sql`
      WITH o AS (SELECT ${orgs} AS ids)
      , r AS (INSERT INTO sms_replies (organization_id, phone, text, received_at) SELECT ids[1 + i % ${n}], '+316' || (10000000 + (i::bigint * 7919) % 50000000), 'Graag bellen', now() - make_interval(mins => i) FROM o, generate_series(1, 10000) i)
      , x AS (INSERT INTO sms_outbox (message_id, sender, recipient, text, encoding, segments) SELECT i, 'TGG', '+316' || (10000000 + (i::bigint * 7919) % 50000000), 'Beste Jan, uw afspraak is morgen.', 'gsm7', 1 FROM generate_series(1, 10000) i)
      INSERT INTO sms_opt_outs (organization_id, phone_hash, masked, source) SELECT ids[1 + i % ${n}], sha256(('opt-out ' || i)::bytea), '+31 6 ****' || lpad((i % 10000)::text, 4, '0'), 'reply' FROM o, generate_series(1, 10000) i`],
    ['mail', sql`
      WITH m AS (INSERT INTO mail_messages (organization_id, purpose, to_address, subject, text_body, status, sent_at)
          SELECT (${orgs})[1 + i % ${n}], 'password-reset', 'medewerker' || i || '@bench' || (i % ${n}) || '.nl', 'Reset', 'Hier is je link.', 'sent', now() FROM generate_series(1, 50000) i)
      INSERT INTO mail_outbox (message_id, envelope_from, envelope_to, subject, raw)
        SELECT '<' || i || '@tgg>', 'noreply@tgg.test', ARRAY['medewerker' || i || '@bench.nl'], 'Reset', 'To: medewerker' || i || '@bench.nl' FROM generate_series(1, 5000) i`],
    // TEM: 2,000 subscriptions per organisation, their calls over the last 90 days in the monthly partitions.
    ['TEM uploads, subscriptions, charges', sql`
      WITH o AS (SELECT ${orgs} AS ids)
      , up AS (INSERT INTO tem_uploads (organization_id, kind, sha256, size_bytes, status) SELECT ids[k], 'cdr', 'bench-cdr-' || k, 1, 'parsed' FROM o, generate_series(1, ${n}) k RETURNING id, organization_id)
      , subs AS (INSERT INTO tem_subscriptions (organization_id, msisdn, holder_name) SELECT ids[k], '+316' || (60000000 + k * 2000 + j), 'Gebruiker ' || j FROM o, generate_series(1, ${n}) k, generate_series(0, 1999) j)
      INSERT INTO tem_period_charges (organization_id, upload_id, line, msisdn, user_name, call_type, amount, period_start, period_end)
        SELECT up.organization_id, up.id, j, '+316' || (60000000 + array_position(ids, up.organization_id) * 2000 + j), 'Gebruiker ' || j, 'subscription', 20, date_trunc('month', now())::date, (date_trunc('month', now()) + interval '1 month - 1 day')::date
        FROM o, up, generate_series(0, 1999) j`],
    ['call records', sql`
      WITH u AS (SELECT array_agg(t.id ORDER BY o.slug) AS uploads, array_agg(o.id ORDER BY o.slug) AS ids FROM tem_uploads t JOIN organizations o ON o.id = t.organization_id WHERE t.sha256 LIKE 'bench-cdr-%')
      INSERT INTO call_records (organization_id, upload_id, line, msisdn, user_name, started_at, call_type, direction, destination, destination_masked, duration_s, billed_s, amount, currency, roaming)
        SELECT ids[1 + i % ${n}], uploads[1 + i % ${n}], i, '+316' || (60000000 + (1 + i % ${n}) * 2000 + (i / ${n}) % 2000), 'Gebruiker ' || ((i / ${n}) % 2000), now() - make_interval(secs => (i::bigint * 7) % 7776000),
          CASE WHEN i % 3 = 2 THEN 'data' ELSE 'voice' END, CASE WHEN i % 3 = 2 THEN NULL ELSE 'outgoing' END,
          CASE i % 3 WHEN 0 THEN '06' || (30000000 + (i::bigint * 31) % 20000000) WHEN 1 THEN '0201234***' END, i % 3 = 1,
          (i * 37) % 3600, (i * 37) % 3600, ((i::bigint * 7919) % 100000) / 100.0, 'EUR', i % 50 = 0
        FROM u, generate_series(1, ${size.callRecords}) i`],
    // Stored without a parse: each organisation's months of the cost report's rollup recomputed from the rows.
    ['the call records\' rollup', sql`
      SELECT tem_cost_rollup_recompute_calls(organization_id, month)
        FROM (SELECT DISTINCT organization_id, date_trunc('month', started_at AT TIME ZONE 'Europe/Amsterdam')::date AS month FROM call_records) m`],
    ['e-invoices', sql`
      WITH inv AS (
        INSERT INTO tem_uploads (organization_id, kind, sha256, size_bytes, status) SELECT id, 'einvoice', 'bench-inv', 1, 'parsed' FROM organizations RETURNING id, organization_id)
      , e AS (INSERT INTO einvoices (id, organization_id, upload_id, syntax, number, credit_note, supplier_key, line_count, retain_from)
          SELECT gen_random_uuid(), organization_id, id, 'ubl-invoice', 'F-bench', false, 'kpn', 2000, now() FROM inv RETURNING id, organization_id)
      INSERT INTO einvoice_lines (invoice_id, organization_id, seq, line_id, item_name, subscription_ref, line_amount)
        SELECT e.id, e.organization_id, j, j::text, 'Abonnement', '06-' || (60000000 + array_position(${orgs}, e.organization_id) * 2000 + j), 20 FROM e, generate_series(0, 1999) j`],
    // Newsletter: two lists per organisation, the subscribers spread over them, one consent each.
    ['newsletter subscribers and consents', sql`
      WITH l AS (INSERT INTO newsletter_lists (organization_id, name) SELECT id, 'Lijst ' || k FROM organizations, generate_series(1, 2) k RETURNING id, organization_id)
      , lists AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(organization_id ORDER BY id) AS orgs, count(*)::int AS total FROM l)
      , s AS (INSERT INTO newsletter_subscribers (organization_id, list_id, email, name, created_at)
          SELECT orgs[1 + i % total], ids[1 + i % total], 'lezer' || i || '@voorbeeld' || (i % 50) || '.nl', 'Lezer ' || i, now() - make_interval(hours => i % 5000)
          FROM lists, generate_series(1, ${size.subscribers}) i RETURNING id, organization_id, list_id)
      INSERT INTO newsletter_consents (subscriber_id, organization_id, list_id, method, privacy_statement, ip_truncated, legal_basis)
        SELECT id, organization_id, list_id, 'sign-up', '31 July 2018', '127.0.0.0', 'consent' FROM s`],
    // Three campaigns per list, each delivered to every subscriber; one delivery in 50 lost its subscriber (unsubscribed and deleted).
    ['newsletter campaigns and deliveries', sql`
      WITH c AS (INSERT INTO newsletter_campaigns (organization_id, list_id, subject, html, status, chunk_size, completed_at)
          SELECT organization_id, id, 'Nieuws ' || k, '<p>Beste {{name}}</p>', 'completed', 500, now() - make_interval(days => k * 7) FROM newsletter_lists, generate_series(1, 3) k RETURNING id, organization_id, list_id)
      INSERT INTO newsletter_deliveries (campaign_id, organization_id, seq, subscriber_id, address_hash, status, sent_at, updated_at)
        SELECT c.id, c.organization_id, row_number() OVER (PARTITION BY c.id ORDER BY s.id),
          CASE WHEN hashtext(s.email) % 50 = 0 THEN NULL ELSE s.id END, sha256(s.email::bytea), 'sent', now(), now()
        FROM c JOIN newsletter_subscribers s ON s.list_id = c.list_id`],
    ['newsletter signups and suppressions', sql`
      WITH g AS (INSERT INTO newsletter_signups (organization_id, list_id, email, privacy_statement)
          SELECT organization_id, id, 'nieuw' || i || '@voorbeeld.nl', '31 July 2018' FROM newsletter_lists, generate_series(1, 100) i)
      INSERT INTO newsletter_suppressions (organization_id, address_hash, reason)
        SELECT organization_id, sha256(email::bytea), 'unsubscribe' FROM newsletter_subscribers WHERE hashtext(email) % 25 = 0 ON CONFLICT DO NOTHING`],
    ['privacy requests (done, hashes only)', sql`
      INSERT INTO privacy_requests (type, status, filed_by, due_at, completed_at, identifier_hashes, anonymised_at)
        SELECT 'erasure', 'done', 'public', now(), now(), ARRAY[sha256(('request ' || i)::bytea), sha256(('request phone ' || i)::bytea)], now() FROM generate_series(1, 2000) i`],
  ];
}

/** The organisations the data is spread over (made first: the benchmark also measures before the bulk is in); their ids in slug order. */
export async function seedOrganizations(db: Db, count: number): Promise<string[]> {
  await sql`INSERT INTO organizations (name, slug) SELECT 'Bench ' || o, 'bench-' || lpad(o::text, 3, '0') FROM generate_series(1, ${count}) o`.execute(db);
  return (await db.selectFrom('organizations').select('id').orderBy('slug').execute()).map((o) => o.id);
}

/** Seeds `size` over the organisations already made; prints each step's time in ms. Then VACUUM ANALYZE, so plans see the sizes. */
export async function seedBulk(db: Db, size: SeedSize, log: (line: string) => void): Promise<void> {
  for (const [name, statement] of steps(size)) {
    const start = performance.now();
    await statement.execute(db);
    log(`  seeded ${name} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  }
  const start = performance.now();
  await sql`VACUUM ANALYZE`.execute(db);
  log(`  VACUUM ANALYZE in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
