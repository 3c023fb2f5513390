import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDb } from '../db/database.js';
import { migrateDown, migrateTo, migrateToEmpty, migrateToLatest } from '../db/migrate.js';
import { migrations } from '../db/migrations/index.js';
import { queueSingleSmses } from '../workers/sms/single-sms.js';
import { ADMIN_DATABASE_URL, databaseUrl, testDatabaseName } from './helpers/env.js';

// An empty database (not the template): migrations must build everything from nothing.
const name = testDatabaseName('empty');
const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const db = createDb(databaseUrl(name), { max: 1 });

afterAll(async () => {
  await db.destroy();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

async function tables(): Promise<string[]> {
  const result = await sql<{ table_name: string }>`
    SELECT table_name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(db);
  return result.rows.map((r) => r.table_name);
}

/** The plan of `query` with sequential scans made as dear as possible: an index that can serve it is used. */
const plan = (query: string) =>
  db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const rows = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${sql.raw(query)}`.execute(trx);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });

describe('migrations', () => {
  it('go up from empty, down to empty, and up again', async () => {
    expect(await tables()).toEqual([]);
    const up = await migrateToLatest(db);
    expect(up).toHaveLength(Object.keys(migrations).length);
    expect(await tables()).toEqual(expect.arrayContaining(['audit_log', 'mail_messages', 'mail_outbox']));
    expect(await migrateToLatest(db)).toEqual([]);

    await migrateToEmpty(db);
    expect(await tables()).toEqual([]);

    await migrateToLatest(db);
    const down = await migrateDown(db);
    expect(down).toHaveLength(1);
    await migrateToLatest(db);
    expect(await tables()).toContain('audit_log');
  });

  it('have ISO-timestamped names, in order', () => {
    const names = Object.keys(migrations);
    for (const n of names) expect(n).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}_[a-z0-9-]+$/);
    expect([...names].sort()).toEqual(names);
  });

  it('give the lookups of the send path, the receipts and STOP replies an index', async () => {
    await migrateToLatest(db);
    // A STOP reply: which organisations sent to this number (workers/sms/opt-out-reply.ts).
    expect(await plan(`SELECT DISTINCT organization_id FROM sms_messages WHERE phone = '+31612345678'`)).toContain('sms_messages_phone_idx');
    // A receipt: the part with this SMSC id still waiting for one (workers/sms/receipts.ts).
    expect(await plan(`SELECT message_id FROM sms_message_parts p WHERE smsc_id = 'abc' AND p.state IN ('submitted', 'unknown')`)).toContain('sms_message_parts_waiting_idx');
    expect(await plan(`SELECT message_id FROM sms_message_parts p WHERE smsc_id = ANY('{abc,def}'::text[]) AND p.state IN ('submitted', 'unknown')`)).toContain('sms_message_parts_waiting_idx');
    // A claim: the next queued messages of a chunk (workers/sms/store.ts).
    expect(await plan(`SELECT id FROM sms_messages WHERE batch_id = gen_random_uuid() AND seq >= 0 AND seq < 1000 AND status = 'queued' ORDER BY seq LIMIT 200`)).toContain('sms_messages_batch_seq_idx');
  });

  it("give a privacy request's lookups by keyed hash an index (npm run bench -- privacy prints them all)", async () => {
    await migrateToLatest(db);
    // The number's opt-outs in every organisation (workers/sms/privacy.ts).
    expect(await plan(`SELECT organization_id FROM sms_opt_outs WHERE phone_hash = ANY('{"\\\\x00"}'::bytea[])`)).toContain('sms_opt_outs_hash_idx');
    // The person's earlier requests, which keep only keyed hashes (workers/privacy/self.ts).
    expect(await plan(`SELECT id FROM privacy_requests WHERE identifier_hashes && '{"\\\\x00"}'::bytea[]`)).toContain('privacy_requests_hashes_idx');
  });

  it('parse int8 as a number and keep numeric as a string', async () => {
    const row = await sql<{ big: number; money: string }>`SELECT 9007199254740991::int8 AS big, 12.30::numeric(10,2) AS money`.execute(db);
    expect(row.rows[0]).toEqual({ big: 9007199254740991, money: '12.30' });
    await expect(sql`SELECT 9007199254740993::int8 AS big`.execute(db)).rejects.toThrow(/MAX_SAFE_INTEGER/);
  });

  it('give existing organisations unique slugs, and existing keys the creator the audit log names', async () => {
    await migrateToEmpty(db);
    await migrateTo(db, '2026-11-28T11-00-00_sms-delivery');
    const org = async (name: string) => (await sql<{ id: string }>`INSERT INTO organizations (name) VALUES (${name}) RETURNING id`.execute(db)).rows[0]!.id;
    const first = await org('Gemeente Voorbeeld');
    const second = await org('Gemeente Voorbeeld');
    const third = await org('Café Zoë');
    const user = (await sql<{ id: string }>`INSERT INTO users (organization_id, username, email, password_hash, role) VALUES (${first}, 'alice', 'a@example.nl', 'x', 'admin') RETURNING id`.execute(db)).rows[0]!.id;
    const key = async (prefix: string, userId: string | null) =>
      (await sql<{ id: string }>`INSERT INTO api_keys (organization_id, user_id, name, prefix, secret_hash, scopes) VALUES (${first}, ${userId}, ${prefix}, ${prefix}, ${prefix}::bytea, '{sms}') RETURNING id`.execute(db)).rows[0]!.id;
    const [byUser, byKey, own, unknown] = [await key('k1', null), await key('k2', null), await key('k3', user), await key('k4', null)];
    const created = (actorType: string, actorId: string, keyId: string) =>
      sql`INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id) VALUES (${actorType}, ${actorId}, 'api_key.created', 'api_key', ${keyId})`.execute(db);
    await created('user', user, byUser);
    await created('api_key', byUser, byKey);

    await migrateToLatest(db);
    const slugs = await db.selectFrom('organizations').select(['id', 'slug']).execute();
    expect(Object.fromEntries(slugs.map((o) => [o.id, o.slug]))).toEqual({ [first]: 'gemeente-voorbeeld', [second]: 'gemeente-voorbeeld-2', [third]: 'cafe-zoe' });
    const keys = await db.selectFrom('api_keys').select(['id', 'created_by_user_id', 'created_by_key_id']).orderBy('prefix').execute();
    expect(keys).toEqual([
      { id: byUser, created_by_user_id: user, created_by_key_id: null },
      { id: byKey, created_by_user_id: null, created_by_key_id: byUser },
      { id: own, created_by_user_id: user, created_by_key_id: null },
      { id: unknown, created_by_user_id: null, created_by_key_id: null },
    ]);
  });

  it('give each opt-out confirmation of the last day the organisation that sent it, and drop the rest', async () => {
    await migrateToEmpty(db);
    await migrateTo(db, '2026-12-08T05-00-00_tem-invoice-months');
    const org = (await sql<{ id: string }>`INSERT INTO organizations (name, slug) VALUES ('Gemeente Voorbeeld', 'gemeente-voorbeeld') RETURNING id`.execute(db)).rows[0]!.id;
    const [sent, gone, old] = [Buffer.from('aa', 'hex'), Buffer.from('bb', 'hex'), Buffer.from('cc', 'hex')];
    const phone = { ok: true as const, e164: '+31612345678', type: undefined, countryCallingCode: '31' };
    await queueSingleSmses(db, [{ organizationId: org, purpose: 'opt-out-confirmation', sender: 'Gemeente', text: 'Afgemeld', phone, phoneHash: sent }]);
    await sql`INSERT INTO sms_opt_out_confirmations (phone_hash, sent_at) VALUES (${sent}, now()), (${gone}, now()), (${old}, now() - interval '2 days')`.execute(db);

    await migrateToLatest(db);
    expect(await db.selectFrom('sms_opt_out_confirmations').select(['organization_id', 'phone_hash']).execute()).toEqual([{ organization_id: org, phone_hash: sent }]);
  });

  it('keep an opt-out confirmation whose batch does not tell its organisation for each organisation the number opted out of', async () => {
    await migrateToEmpty(db);
    await migrateTo(db, '2026-12-08T05-00-00_tem-invoice-months');
    const orgs = (await sql<{ id: string }>`INSERT INTO organizations (name, slug) VALUES ('Bakker', 'bakker'), ('Slager', 'slager'), ('Kapper', 'kapper') RETURNING id`.execute(db)).rows.map((r) => r.id);
    const [bakker, slager] = orgs as [string, string, string];
    const unhashed = Buffer.from('dd', 'hex');
    // Its confirmation was sent before messages kept their number's hash (or was erased since): the batch has none.
    const phone = { ok: true as const, e164: '+31612345679', type: undefined, countryCallingCode: '31' };
    await queueSingleSmses(db, [{ organizationId: bakker, purpose: 'opt-out-confirmation', sender: 'Bakker', text: 'Afgemeld', phone }]);
    await sql`INSERT INTO sms_opt_outs (organization_id, phone_hash, masked, source) VALUES (${bakker}, ${unhashed}, '+316****5679', 'reply'), (${slager}, ${unhashed}, '+316****5679', 'reply')`.execute(db);
    await sql`INSERT INTO sms_opt_out_confirmations (phone_hash, sent_at) VALUES (${unhashed}, now())`.execute(db);

    await migrateToLatest(db);
    const rows = await db.selectFrom('sms_opt_out_confirmations').select(['organization_id', 'phone_hash']).execute();
    expect(rows.map((r) => r.organization_id).sort()).toEqual([bakker, slager].sort());
    expect(rows.every((r) => r.phone_hash.equals(unhashed))).toBe(true);
  });
});
