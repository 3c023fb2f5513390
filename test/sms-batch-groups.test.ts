// Small JSON batches by group commit (issue 17, load; workers/sms/grouped-batches.ts), through
// HTTP: many batches at once from two organisations, among them an invalid one, one the
// database refuses, two with the same Idempotency-Key, opted-out and restricted numbers. Each
// request is answered with its own batch at its commit, the bad ones fail alone, every accepted
// batch is stored whole (messages, chunk, audit entry) and its chunk enqueued (behind the answer),
// and the statements a batch costs fall when batches arrive together.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobIdFor } from '../queues/options.js';
import { identifierHash } from '../workers/privacy/subject.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { caller, newOrganization, type Answer } from './helpers/identity.js';
import { mobile } from './helpers/sms.js';
import { statementsDuring } from './helpers/statements.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const north = await newOrganization(call, ctx, 'Noord BV');
const south = await newOrganization(call, ctx, 'Zuid BV');

interface Batch {
  id: string;
  status: string;
  reference: string | null;
  accepted: number;
  rejected: number;
  cost: string;
}

const BODY = 'Uw afspraak is morgen om 10:00.';
/** Opted out of north only; restricted (art. 18) on the whole platform. */
const NORTH_OPTED_OUT = mobile(9_000_001);
const RESTRICTED = mobile(9_000_002);
const REFUSED = 'refused-by-the-database';

function submit(key: string, reference: string, phones: readonly string[], headers: Record<string, string> = {}): Promise<Answer<Batch>> {
  return call<Batch>('post', '/v1/sms/batches', { auth: key, headers, body: { sender: 'TGG', body: BODY, reference, recipients: phones.map((phone) => ({ phone })) } });
}

const phonesOf = (n: number) => Array.from({ length: 10 }, (_, r) => mobile(n * 10 + r));

async function stored(batchId: string) {
  const messages = await ctx.db.selectFrom('sms_messages').select(['seq', 'phone', 'status', 'cost']).where('batch_id', '=', batchId).orderBy('seq').execute();
  const chunks = await ctx.db.selectFrom('sms_chunks').select('chunk').where('batch_id', '=', batchId).execute();
  const audits = await ctx.db.selectFrom('audit_log').select('details').where('entity_type', '=', 'sms_batch').where('entity_id', '=', batchId).where('action', '=', 'sms.batch.created').execute();
  return { messages, chunks, audits, enqueued: await chunkEnqueued(batchId) };
}

/** The chunk goes to Redis behind the answer: it is there soon after. */
const chunkEnqueued = (batchId: string) =>
  waitFor(async () => (await runtime.deps.queues.get('sms').getJob(jobIdFor('sms.send-chunk', { batchId, chunk: 0 }) ?? '')) !== undefined, 'the chunk job', 15_000);

afterEach(async () => {
  await sql`DROP TRIGGER IF EXISTS refuse_batch ON sms_batches`.execute(ctx.db);
});

describe('small batches by group commit', () => {
  it('answers each of many concurrent batches with its own; the invalid and the refused one fail alone, the rest are stored whole', async () => {
    expect((await call('post', '/v1/sms/opt-outs', { auth: north.key, body: { phone: NORTH_OPTED_OUT } })).status).toBe(201);
    await ctx.db.insertInto('privacy_restrictions').values({ identifier_hash: identifierHash(ctx.config.suppressionKey, 'phone', RESTRICTED) }).execute();
    // A batch the database refuses inside a group: only its own statement may fail.
    await sql`CREATE OR REPLACE FUNCTION refuse_batch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.reference = ${sql.lit(REFUSED)} THEN RAISE EXCEPTION 'refused' USING ERRCODE = '23514'; END IF; RETURN NEW; END $$`.execute(ctx.db);
    await sql`CREATE TRIGGER refuse_batch BEFORE INSERT ON sms_batches FOR EACH ROW EXECUTE FUNCTION refuse_batch()`.execute(ctx.db);

    const sharedKey = `same-${randomUUID()}`;
    const requests: { key: string; reference: string; phones: string[]; headers?: Record<string, string> }[] = [
      ...Array.from({ length: 24 }, (_, i) => ({ key: i % 2 === 0 ? north.key : south.key, reference: `ok-${i}`, phones: [...phonesOf(i), NORTH_OPTED_OUT, RESTRICTED] })),
      { key: north.key, reference: 'invalid', phones: [] },
      { key: south.key, reference: REFUSED, phones: phonesOf(50) },
      // The same request twice (a client's retry): the same fields, so one is the other's replay.
      { key: north.key, reference: 'same-key', phones: phonesOf(60), headers: { 'idempotency-key': sharedKey } },
      { key: north.key, reference: 'same-key', phones: phonesOf(60), headers: { 'idempotency-key': sharedKey } },
    ];
    const answers = await Promise.all(requests.map((r) => submit(r.key, r.reference, r.phones, r.headers)));
    const byReference = new Map(requests.map((r, i) => [r.reference, answers[i]!]));

    expect(byReference.get('invalid')?.status).toBe(400);
    expect(byReference.get(REFUSED)?.status).toBe(500);
    expect(await ctx.db.selectFrom('sms_batches').select('id').where('reference', 'in', ['invalid', REFUSED]).execute()).toEqual([]);

    // The same Idempotency-Key: one batch made (202), the other request answered with it (200).
    const same = answers.filter((_, i) => requests[i]!.reference === 'same-key');
    expect(same).toHaveLength(2);
    expect(same.map((a) => a.status).sort()).toEqual([200, 202]);
    expect(same[0]!.body.id).toBe(same[1]!.body.id);

    const accepted = requests.filter((r) => r.reference.startsWith('ok-'));
    const ids = new Set<string>();
    for (const request of accepted) {
      const answer = byReference.get(request.reference)!;
      expect(answer.status, request.reference).toBe(202);
      // Its own batch: its reference and organisation, never a neighbour's.
      expect(answer.body.reference).toBe(request.reference);
      expect(answer.headers.get('location')).toBe(`/v1/sms/batches/${answer.body.id}`);
      ids.add(answer.body.id);
      const owner = request.key === north.key ? north : south;
      const row = await ctx.db.selectFrom('sms_batches').select(['organization_id', 'status', 'accepted', 'chunks']).where('id', '=', answer.body.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ organization_id: owner.id, status: 'queued', accepted: 12, chunks: 1 });

      const { messages, chunks, audits, enqueued } = await stored(answer.body.id);
      expect(messages.map((m) => m.phone)).toEqual(request.phones);
      // Opt-outs are the organisation's own; a restriction holds on the whole platform.
      const held = new Set(owner === north ? [NORTH_OPTED_OUT, RESTRICTED] : [RESTRICTED]);
      expect(messages.map((m) => m.status)).toEqual(request.phones.map((p) => (held.has(p) ? 'suppressed' : 'queued')));
      expect(messages.filter((m) => m.status === 'suppressed').every((m) => Number(m.cost) === 0)).toBe(true);
      expect(answer.body.cost).toBe((0.075 * (12 - held.size)).toFixed(4));
      expect(chunks).toEqual([{ chunk: 0 }]);
      expect(audits).toEqual([{ details: { accepted: 12, rejected: 0 } }]);
      expect(enqueued).toBe(true);
    }
    expect(ids.size).toBe(accepted.length);
  });

  it('answers at the commit, without waiting for Redis to take the chunks, which it takes behind the answer', { timeout: 60_000 }, async () => {
    const queues = runtime.deps.queues;
    const enqueueMany = queues.enqueueMany.bind(queues);
    let open!: () => void;
    let openedBy: 'the test' | 'the fallback' | undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Only if the answers wait for Redis does the gate open before them, after 30 s (the test's
    // order, not a race against the clock: three answers may take seconds on a loaded machine).
    const fallback = setTimeout(() => {
      openedBy ??= 'the fallback';
      open();
    }, 30_000);
    queues.enqueueMany = async (requests) => {
      await gate;
      return enqueueMany(requests);
    };
    try {
      // Redis holds every group's chunks; each request is answered all the same.
      const answers = await Promise.all([0, 1, 2].map((i) => submit(north.key, `behind-${i}`, phonesOf(300 + i))));
      openedBy ??= 'the test';
      expect(openedBy).toBe('the test');
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
      const ids = answers.map((a) => a.body.id);
      expect(await ctx.db.selectFrom('sms_batches').select('id').where('id', 'in', ids).execute()).toHaveLength(3);
      open();
      for (const id of ids) expect(await chunkEnqueued(id)).toBe(true);
    } finally {
      clearTimeout(fallback);
      open();
      Reflect.deleteProperty(queues, 'enqueueMany');
    }
  });

  it('costs fewer statements a batch when batches arrive together than one by one', async () => {
    const alone = await statementsDuring(async () => {
      for (let i = 0; i < 5; i++) expect((await submit(north.key, `alone-${i}`, phonesOf(100 + i))).status).toBe(202);
    });
    const together = await statementsDuring(async () => {
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => submit(i % 2 ? north.key : south.key, `together-${i}`, phonesOf(200 + i))));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 202));
    });
    const perBatchAlone = alone.statements / 5;
    const perBatchTogether = together.statements / 40;
    console.log(`statements a batch: ${perBatchAlone.toFixed(2)} one by one, ${perBatchTogether.toFixed(2)} with 40 at once`);
    // One by one: the key's lookup and the group's one statement (its opt-out lookup and its write).
    expect(perBatchAlone).toBeLessThanOrEqual(2);
    // Together the lookup and the write are shared: little more than the key's lookup is left.
    expect(perBatchTogether).toBeLessThan(perBatchAlone);
  });

  it("compiles the group's statement once per process, not once per group (each group still sends its own values)", async () => {
    const executor = runtime.deps.db.getExecutor();
    const compile = vi.spyOn(executor, 'compileQuery');
    try {
      const answers: Answer<Batch>[] = [];
      for (let i = 0; i < 4; i++) answers.push(await submit(i % 2 ? north.key : south.key, `compiled-${i}`, phonesOf(400 + i)));
      expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 202]);
      for (const [i, answer] of answers.entries()) {
        expect(answer.body.reference).toBe(`compiled-${i}`);
        expect((await stored(answer.body.id)).messages.map((m) => m.phone)).toEqual(phonesOf(400 + i));
      }
      // Old code: the query builder built and compiled it for each of the 4 groups.
      const groupCompiles = compile.mock.results.filter((r) => r.type === 'return' && (r.value as { sql: string }).sql.includes('INSERT INTO sms_batches'));
      expect(groupCompiles.length).toBeLessThanOrEqual(1);
    } finally {
      compile.mockRestore();
    }
  });
});
