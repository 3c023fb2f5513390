import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RETENTION_POLICY, TABLES_WITHOUT_PERSONAL_DATA, type RetentionCategory } from '../workers/retention/policy.js';
import { cutoffFor, purgeAll, purgeCategory } from '../workers/retention/purge.js';
import { renderRetentionTable } from '../workers/retention/register.js';
import { keyColumnsOf } from '../workers/retention/category.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { insertBatch, insertCallback, insertMail, insertOrganization } from './helpers/factories.js';

const ctx = await createTestContext();
const DAY = 24 * 3600 * 1000;

async function mailAged(days: number, now: Date): Promise<string> {
  const mail = await insertMail(ctx.db, { to_address: `person${days}@example.nl`, created_at: new Date(now.getTime() - days * DAY) });
  return mail.id;
}

async function cutoff(now: string, keep: RetentionCategory['keep']): Promise<string> {
  const row = await sql<{ at: string }>`SELECT to_char(${cutoffFor(new Date(now), keep)} AT TIME ZONE 'Europe/Amsterdam', 'YYYY-MM-DD HH24:MI') AS at`.execute(ctx.db);
  return row.rows[0]?.at ?? '';
}

describe('retention policy', () => {
  it('counts calendar months in Dutch time', async () => {
    expect(await cutoff('2026-08-31T10:00:00Z', { months: 6 })).toBe('2026-02-28 12:00');
    expect(await cutoff('2026-05-15T10:00:00Z', { months: 6 })).toBe('2025-11-15 12:00');
    expect(await cutoff('2026-03-01T00:30:00Z', { years: 7 })).toBe('2019-03-01 01:30');
  });

  it('classifies every table: a retention category or a reason it holds no personal data', async () => {
    const tables = await sql<{ table_name: string }>`
      SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`.execute(ctx.db);
    const covered = new Set([...RETENTION_POLICY.map((c) => c.table), ...Object.keys(TABLES_WITHOUT_PERSONAL_DATA)]);
    expect(tables.rows.map((t) => t.table_name).filter((t) => !covered.has(t))).toEqual([]);
  });

  it('names only columns that exist', async () => {
    for (const category of RETENTION_POLICY) {
      const clock = typeof category.clock === 'string' ? category.clock : category.clock.via.foreignKey;
      const columns = [...keyColumnsOf(category), clock, ...(category.action.kind === 'anonymise' ? [...category.action.columns, category.action.marker] : [])];
      const found = await sql<{ column_name: string }>`
        SELECT column_name FROM information_schema.columns WHERE table_name = ${category.table}`.execute(ctx.db);
      const existing = new Set(found.rows.map((r) => r.column_name));
      expect(columns.filter((c) => !existing.has(c)), category.category).toEqual([]);
    }
  });

  it('is the table the README shows', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const between = /<!-- retention:start -->\n([\s\S]*?)\n<!-- retention:end -->/.exec(readme)?.[1];
    expect(between).toBe(renderRetentionTable());
  });
});

describe('retention purge', () => {
  it('deletes what is past its period, keeps the rest, and is safe to run twice', async () => {
    const now = new Date('2026-11-28T02:00:00Z');
    const old = await mailAged(31, now);
    const young = await mailAged(29, now);
    const first = await purgeAll(ctx.db, RETENTION_POLICY, { now, batchSize: 1 });
    expect(first['mail.transactional']).toBe(1);
    const left = await ctx.db.selectFrom('mail_messages').select('id').where('id', 'in', [old, young]).execute();
    expect(left.map((r) => r.id)).toEqual([young]);
    const second = await purgeAll(ctx.db, RETENTION_POLICY, { now, batchSize: 1 });
    expect(second['mail.transactional']).toBe(0);
  });

  it('works in bounded batches', async () => {
    const now = new Date('2026-11-28T02:00:00Z');
    for (let i = 0; i < 5; i++) await mailAged(40, now);
    const batches: number[] = [];
    const category = RETENTION_POLICY.find((c) => c.category === 'mail.transactional')!;
    const total = await purgeCategory(ctx.db, category, { now, batchSize: 2, onBatch: (_c, n) => void batches.push(n) });
    expect(total).toBe(5);
    expect(batches).toEqual([2, 2, 1]);
  });

  it('removes a batch and records its count in one transaction: a failed record leaves the rows', async () => {
    const now = new Date('2026-11-28T02:00:00Z');
    const ids = [await mailAged(50, now), await mailAged(50, now)];
    const category = RETENTION_POLICY.find((c) => c.category === 'mail.transactional')!;
    const record = () => Promise.reject(new Error('killed between the delete and its count'));
    await expect(purgeCategory(ctx.db, category, { now, batchSize: 10, record })).rejects.toThrow('killed between');
    expect(await ctx.db.selectFrom('mail_messages').select('id').where('id', 'in', ids).execute()).toHaveLength(2);

    const recorded: number[] = [];
    await purgeCategory(ctx.db, category, { now, batchSize: 10, record: async (trx, _c, n) => void recorded.push(n + (await trx.selectFrom('mail_messages').select('id').where('id', 'in', ids).execute()).length) });
    expect(recorded).toEqual([2]);
    expect(await ctx.db.selectFrom('mail_messages').select('id').where('id', 'in', ids).execute()).toHaveLength(0);
  });

  it('anonymises: clears the personal columns, stamps the marker, keeps the row', async () => {
    await sql`CREATE TABLE anon_probe (id serial PRIMARY KEY, phone text, segments int NOT NULL, sent_at timestamptz NOT NULL, anonymised_at timestamptz)`.execute(ctx.db);
    onTestFinished(async () => {
      await sql`DROP TABLE IF EXISTS anon_probe`.execute(ctx.db);
    });
    await sql`INSERT INTO anon_probe (phone, segments, sent_at) VALUES ('+31612345678', 2, '2026-01-01'), ('+31687654321', 1, '2026-11-01')`.execute(ctx.db);
    const category = {
      ...RETENTION_POLICY[0]!,
      category: 'probe',
      table: 'anon_probe',
      clock: 'sent_at',
      keep: { months: 6 },
      action: { kind: 'anonymise', columns: ['phone'], marker: 'anonymised_at' },
    } as unknown as RetentionCategory;
    expect(await purgeCategory(ctx.db, category, { now: new Date('2026-11-28T00:00:00Z'), batchSize: 10 })).toBe(1);
    const rows = await sql<{ phone: string | null; segments: number; anonymised: boolean }>`
      SELECT phone, segments, anonymised_at IS NOT NULL AS anonymised FROM anon_probe ORDER BY id`.execute(ctx.db);
    expect(rows.rows).toEqual([
      { phone: null, segments: 2, anonymised: true },
      { phone: '+31687654321', segments: 1, anonymised: false },
    ]);
  });
});

// Issue 9: a batch's reference and callback URL were never anonymised, and sms_callbacks
// (whose payload holds the reference) was never purged.
describe('retention of SMS batch references and callbacks', () => {
  it('clears reference and callback URL with the template, and deletes callbacks after 30 days', async () => {
    const now = new Date('2026-11-28T02:00:00Z');
    const org = await insertOrganization(ctx.db);
    const batch = (createdAt: string) =>
      insertBatch(ctx.db, { organization_id: org.id, body: 'Hoi Jan', reference: 'afspraak-jansen', callback_url: 'https://example.nl/cb?klant=jansen', created_at: new Date(createdAt) });
    const old = await batch('2026-05-01T10:00:00Z');
    const young = await batch('2026-11-01T10:00:00Z');
    const callback = (batchId: string, daysOld: number) =>
      insertCallback(ctx.db, { organization_id: org.id, batch_id: batchId, payload: JSON.stringify({ type: 'batch.status', batchId, reference: 'afspraak-jansen' }), created_at: new Date(now.getTime() - daysOld * DAY) });
    const oldCallback = await callback(young.id, 31);
    const youngCallback = await callback(young.id, 29);

    const counts = await purgeAll(ctx.db, RETENTION_POLICY, { now, batchSize: 100 });
    expect(counts['sms.callbacks']).toBe(1);

    const batches = await ctx.db.selectFrom('sms_batches').select(['id', 'body', 'reference', 'callback_url']).where('id', 'in', [old.id, young.id]).orderBy('created_at').execute();
    expect(batches).toEqual([
      { id: old.id, body: null, reference: null, callback_url: null },
      { id: young.id, body: 'Hoi Jan', reference: 'afspraak-jansen', callback_url: 'https://example.nl/cb?klant=jansen' },
    ]);
    const callbacks = await ctx.db.selectFrom('sms_callbacks').select('id').where('id', 'in', [oldCallback.id, youngCallback.id]).execute();
    expect(callbacks.map((c) => c.id)).toEqual([youngCallback.id]);
  });
});

describe('retention of SMS opt-out confirmations', () => {
  it('deletes a confirmation 2 days on by its organisation and number, not a younger one of the same number from another organisation', async () => {
    const now = new Date('2026-11-28T02:00:00Z');
    const [first, second] = [await insertOrganization(ctx.db), await insertOrganization(ctx.db)];
    const number = Buffer.alloc(32, 7);
    const other = Buffer.alloc(32, 8);
    const confirmation = (organizationId: string, hash: Buffer, daysOld: number) => ({ organization_id: organizationId, phone_hash: hash, sent_at: new Date(now.getTime() - daysOld * DAY) });
    await ctx.db
      .insertInto('sms_opt_out_confirmations')
      .values([confirmation(first.id, number, 3), confirmation(second.id, number, 0.5), confirmation(first.id, other, 1.5)])
      .execute();

    const counts = await purgeAll(ctx.db, RETENTION_POLICY, { now, batchSize: 100 });
    expect(counts['sms.opt-out-confirmations']).toBe(1);
    const left = await ctx.db.selectFrom('sms_opt_out_confirmations').select(['organization_id', 'phone_hash']).where('organization_id', 'in', [first.id, second.id]).execute();
    expect(left.map((r) => `${r.organization_id === first.id ? 'first' : 'second'}:${r.phone_hash[0]}`).sort()).toEqual(['first:8', 'second:7']);
  });
});

describe('the nightly purge job', () => {
  it('is scheduled at 03:00 Amsterdam time, again after Redis lost it', async () => {
    const runtime = await ctx.start({ roles: ['scheduler'] });
    const maintenance = runtime.deps.queues.get('maintenance');
    const scheduled = async () => (await maintenance.getJobSchedulers().catch(() => [])).find((s) => s.key === 'retention-purge');
    expect(await waitFor(scheduled, 'the purge scheduler')).toMatchObject({ pattern: '0 3 * * *', tz: 'Europe/Amsterdam' });

    const keys = await ctx.redis.keys(`${ctx.prefix}:maintenance:*`);
    await ctx.redis.del(...keys);
    expect(await scheduled()).toBeUndefined();
    runtime.deps.queues.connection.disconnect(true);
    await waitFor(scheduled, 'the purge scheduler after a reconnect');
  });

  it('runs the policy as a job and returns counts only', async () => {
    const runtime = await ctx.start({ roles: ['scheduler'] });
    // Only this test's mail: rows of earlier tests (dated around 2026-11) would pass the cutoff too.
    await ctx.db.deleteFrom('mail_messages').execute();
    await ctx.db.deleteFrom('mail_outbox').execute();
    const old = await mailAged(45, new Date());
    const id = await runtime.deps.queues.enqueue('maintenance.retention-purge', {});
    const job = await waitFor(async () => {
      const j = await runtime.deps.queues.get('maintenance').getJob(id);
      // finishedOn, not isCompleted(): that reads the state now, and this snapshot (its returnvalue) may predate it.
      return j?.finishedOn ? j : undefined;
    }, 'the purge job');
    expect(job?.returnvalue).toMatchObject({ 'mail.transactional': 1, 'mail.outbox': 0 });
    expect(Object.values(job?.returnvalue as Record<string, unknown>).every((v) => typeof v === 'number')).toBe(true);
    expect(await ctx.db.selectFrom('mail_messages').where('id', '=', old).select('id').executeTakeFirst()).toBeUndefined();
  });
});
