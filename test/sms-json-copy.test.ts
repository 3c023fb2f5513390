// Issue 16: a JSON batch of 1,000 recipients or more is written by COPY (the pool makes the COPY
// lines, as for a CSV upload) inside the batch's transaction. Hostile text arrives byte for
// byte; duplicates and bad recipients are rejected with their index; opt-outs and privacy
// restrictions (number and address) are stored suppressed at no cost; a COPY that fails half-way
// leaves no batch and no message, and the retry with the same Idempotency-Key stores it whole.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { copyIntoTable } from '../db/database.js';
import { phoneHash } from '../workers/sms/opt-outs.js';
import { identifierHash } from '../workers/privacy/subject.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { mobile } from './helpers/sms.js';

const ctx = await createTestContext();
// The web role only: nothing is sent, the stored rows stay as the intake wrote them.
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const key = runtime.deps.config.suppressionKey;

const COUNT = 1_200;
const TEMPLATE = 'Beste {{naam}}, tot {{dag}}.';
const HOSTILE = [
  'O"Brien',
  'back\\slash',
  '\\N',
  '\\.',
  'tab\there',
  'new\nline',
  'carriage\rreturn',
  'Zoë 😀 ‮rtl‬ \u2028 eind',
  '{"json": [1, 2]}',
  "'; DROP TABLE sms_messages; --",
  '\\',
];

interface Recipient {
  phone?: string;
  email?: string;
  fields: Record<string, string>;
}

interface Accepted {
  id: string;
  accepted: number;
  rejected: number;
  rejections: { index: number; reason: string }[];
  cost: string;
}

function recipients(): Recipient[] {
  const list: Recipient[] = Array.from({ length: COUNT }, (_, i) => ({ phone: mobile(i), fields: { naam: HOSTILE[i % HOSTILE.length] ?? '', dag: `dag ${i}` } }));
  list[7] = { phone: '0612', fields: { naam: 'kort', dag: 'x' } }; // invalid-phone
  list[900] = { phone: mobile(5), fields: { naam: 'dubbel', dag: 'x' } }; // duplicate of index 5
  list[1000] = { phone: mobile(1000), fields: { naam: 'zonder dag' } }; // missing-field:dag
  list[1100] = { email: 'Beperkt@Example.nl', fields: { naam: 'mail', dag: 'x' } };
  list[1101] = { email: 'open@example.nl', fields: { naam: 'mail', dag: 'x' } };
  return list;
}

const textOf = (r: Recipient) => TEMPLATE.replace('{{naam}}', r.fields.naam ?? '').replace('{{dag}}', r.fields.dag ?? '');

describe('a JSON batch written by COPY', () => {
  it('stores hostile text byte for byte, rejects with indexes, and suppresses opt-outs and restrictions at no cost', async () => {
    const org = await newOrganization(call, ctx, 'Kopieer & Zn');
    expect((await call('post', '/v1/sms/opt-outs', { auth: org.key, body: { phone: mobile(20) } })).status).toBe(201);
    await ctx.db
      .insertInto('privacy_restrictions')
      .values([{ identifier_hash: phoneHash(key, mobile(30)), request_id: null }, { identifier_hash: identifierHash(key, 'email', 'beperkt@example.nl'), request_id: null }])
      .execute();
    const list = recipients();
    const answer = await call<Accepted>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Kopie', body: TEMPLATE, recipients: list } });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      accepted: COUNT - 3,
      rejected: 3,
      rejections: [
        { index: 7, reason: 'invalid-phone' },
        { index: 900, reason: 'duplicate' },
        { index: 1000, reason: 'missing-field:dag' },
      ],
    });

    const stored = await ctx.db
      .selectFrom('sms_messages')
      .select(['seq', 'channel', 'phone', 'email', 'fields', 'text', 'status', 'cost'])
      .where('batch_id', '=', answer.body.id)
      .orderBy('seq')
      .execute();
    expect(stored).toHaveLength(COUNT - 3);
    expect(stored.map((m) => m.seq)).not.toContain(900);
    for (const m of stored) {
      const sent = list[m.seq] as Recipient;
      expect(m.fields).toEqual(sent.fields);
      expect(m.text).toBe(textOf(sent));
      expect(m.channel).toBe(sent.phone ? 'sms' : 'email');
      if (sent.phone) expect(m.phone).toBe(sent.phone);
    }
    const bySeq = new Map(stored.map((m) => [m.seq, m]));
    for (const seq of [20, 30, 1100]) expect([seq, bySeq.get(seq)?.status, String(bySeq.get(seq)?.cost)]).toEqual([seq, 'suppressed', '0.0000']);
    expect(bySeq.get(1100)?.email).toBe('beperkt@example.nl');
    expect(bySeq.get(1101)?.status).toBe('queued');
    expect(stored.filter((m) => m.status === 'suppressed').map((m) => m.seq)).toEqual([20, 30, 1100]);
    // Each queued SMS costs its price; the batch's cost is their sum, suppressed ones nothing.
    const costs = await ctx.db.selectFrom('sms_messages').select(sql<string>`sum(cost)`.as('total')).where('batch_id', '=', answer.body.id).executeTakeFirstOrThrow();
    expect(Number(costs.total)).toBeCloseTo(Number(answer.body.cost), 4);
    await ctx.db.deleteFrom('privacy_restrictions').execute();
  });

  it('refuses a NUL anywhere in a recipient before anything is stored', async () => {
    const org = await newOrganization(call, ctx, 'Nul BV');
    const list = recipients();
    list[1150] = { phone: mobile(1150), fields: { naam: 'a\u0000b', dag: 'x' } };
    const answer = await call<{ errors: { field: string }[] }>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Nul', body: TEMPLATE, recipients: list } });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0]?.field).toBe('body.recipients.1150.fields.naam');
    expect(await ctx.db.selectFrom('sms_batches').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);
  });

  it('leaves no batch and no message when the COPY fails half-way, and the retry stores it whole', async () => {
    const org = await newOrganization(call, ctx, 'Half BV');
    const headers = { 'idempotency-key': 'copy-half-way' };
    const body = { sender: 'Half', body: TEMPLATE, recipients: recipients() };
    await sql`CREATE FUNCTION refuse_seq_1150() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.seq = 1150 THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$`.execute(ctx.db);
    await sql`CREATE TRIGGER refuse_seq_1150 BEFORE INSERT ON sms_messages FOR EACH ROW EXECUTE FUNCTION refuse_seq_1150()`.execute(ctx.db);
    let failed: number;
    try {
      failed = (await call('post', '/v1/sms/batches', { auth: org.key, body, headers })).status;
    } finally {
      await sql`DROP TRIGGER refuse_seq_1150 ON sms_messages`.execute(ctx.db);
      await sql`DROP FUNCTION refuse_seq_1150()`.execute(ctx.db);
    }
    expect(failed).toBeGreaterThanOrEqual(500);
    expect(await ctx.db.selectFrom('sms_batches').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);
    expect(await ctx.db.selectFrom('sms_messages').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);

    const retry = await call<Accepted>('post', '/v1/sms/batches', { auth: org.key, body, headers });
    expect(retry.status).toBe(202);
    const count = await ctx.db.selectFrom('sms_messages').select(sql<number>`count(*)::int`.as('n')).where('batch_id', '=', retry.body.id).executeTakeFirstOrThrow();
    expect(count.n).toBe(COUNT - 3);
  });
});

describe('copyIntoTable', () => {
  it('stores nothing when its source throws, and the connection goes on', async () => {
    await sql`CREATE TABLE copy_probe (n int, t text)`.execute(ctx.db);
    function* failing(): Generator<Buffer> {
      yield Buffer.from('1\tone\n2\ttwo\n');
      throw new Error('source broke');
    }
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await copyIntoTable(trx, 'copy_probe (n, t)', failing());
        return 'committed';
      }),
    ).rejects.toThrow();
    function* lines(): Generator<Buffer> {
      yield Buffer.from('3\tth');
      yield Buffer.from('ree\\tand a tab\n');
    }
    await ctx.db.transaction().execute((trx) => copyIntoTable(trx, 'copy_probe (n, t)', lines()));
    expect(await ctx.db.selectFrom('copy_probe' as never).select(['n', 't'] as never).execute()).toEqual([{ n: 3, t: 'three\tand a tab' }]);
  });
});
