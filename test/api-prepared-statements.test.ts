// The statements the API's busiest routes send per request or per group (issue 17, load) go as
// named prepared statements (db/database.ts PREPARED via db/compiled-once.ts): the bearer key
// lookup, the SMS batch group's write and the subscriber import's group. Postgres then parses and
// plans each once per connection, not per group of one or two requests (bench/JOURNAL.md). A
// prepared statement must keep its result's columns when a migration adds one to the table it
// writes (else Postgres answers "cached plan must not change result type" until the process
// restarts): the SMS group names the columns it returns, so a batch is still stored and answered.
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { mobile } from './helpers/sms.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Voorbereid BV');

/** Every statement the process's pg clients send while `work` runs: its text, and its name when it goes prepared. */
async function sentDuring(work: () => Promise<void>): Promise<{ text: string; name?: string }[]> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = Reflect.get<typeof prototype, 'query'>(prototype, 'query');
  const sent: { text: string; name?: string }[] = [];
  prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first] = args;
    if (typeof first === 'string') sent.push({ text: first });
    else if (first && typeof first === 'object' && 'text' in first) sent.push({ text: String(first.text), name: (first as { name?: string }).name });
    return original.apply(this, args);
  };
  try {
    await work();
    return sent;
  } finally {
    prototype.query = original;
  }
}

let seq = 0;
const submit = () =>
  call<{ id: string; accepted: number }>('post', '/v1/sms/batches', {
    auth: org.key,
    body: { sender: 'TGG', body: 'Uw afspraak is morgen om 10:00.', recipients: Array.from({ length: 3 }, () => ({ phone: mobile(7_000_000 + seq++) })) },
  });

afterEach(async () => {
  await sql`ALTER TABLE sms_batches DROP COLUMN IF EXISTS added_by_a_migration`.execute(ctx.db);
});

describe('the API hot path statements', () => {
  it('go as named prepared statements: the key lookup, the SMS group, the subscriber import', async () => {
    const list = await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Leden' } });
    expect(list.status).toBe(201);
    const sent = await sentDuring(async () => {
      expect((await submit()).status).toBe(202);
      const imported = await call('post', `/v1/lists/${list.body.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'lid@example.nl' }] } });
      expect(imported.status).toBe(200);
    });
    const named = (fragment: string) => sent.filter((s) => s.text.toLowerCase().includes(fragment.toLowerCase())).map((s) => s.name);
    // Old code: each went as unnamed text (parsed and planned every time).
    expect(named('FROM "api_keys"')).not.toHaveLength(0);
    expect(named('FROM "api_keys"').every((n) => n?.startsWith('tgg_'))).toBe(true);
    expect(named('INSERT INTO sms_batches')).toEqual([expect.stringMatching(/^tgg_/)]);
    expect(named('INSERT INTO newsletter_subscribers')).toEqual([expect.stringMatching(/^tgg_/)]);
  });

  it('still store and answer a batch after a migration adds a column to sms_batches while the process runs', async () => {
    // Prepared on the connections in use, then the table changes under them.
    for (let i = 0; i < 3; i++) expect((await submit()).status).toBe(202);
    await sql`ALTER TABLE sms_batches ADD COLUMN added_by_a_migration text`.execute(ctx.db);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await submit());
    answers.push(...(await Promise.all(Array.from({ length: 6 }, () => submit()))));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 9 }, () => 202));
    for (const answer of answers) {
      expect(answer.body.accepted).toBe(3);
      const stored = await ctx.db.selectFrom('sms_messages').select('seq').where('batch_id', '=', answer.body.id).execute();
      expect(stored).toHaveLength(3);
    }
  });
});
