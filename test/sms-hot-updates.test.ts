// A message row has three versions before its page can be pruned (as taken in, claimed, then
// its outcome, here with its receipt riding along as a fast SMSC sends it): every one of them
// must stay on the row's page, so no update writes an entry in each of the table's indexes (a
// HOT update; a version on another page is not one, since no indexed column changes). At
// fillfactor 70 about half of the rows moved: the send path's Postgres CPU per message was a
// quarter higher (bench/JOURNAL.md, issue 16, eighth round).
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createDb } from '../db/database.js';
import { claimWindow, writeOutcomes, type MessageOutcome } from '../workers/sms/store.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
// The web role only: the batch stays queued for the claims below.
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Stichting Pagina');
const db = createDb(ctx.config.databaseUrl, { max: 1 });
afterAll(() => db.destroy());

const RECIPIENTS = 600;
const WINDOW = 200;
const BODY = 'Beste {{naam}}, uw afspraak staat morgen om 10:00 bij de tandarts. Tot dan! Met vriendelijke groet, Praktijk TGG';

/** The heap page of each message of the batch. */
async function pages(batchId: string): Promise<Map<number, number>> {
  const { rows } = await sql<{ id: string; page: number }>`
    SELECT id, (ctid::text::point)[0]::int AS page FROM sms_messages WHERE batch_id = ${batchId}`.execute(db);
  return new Map(rows.map((r) => [Number(r.id), r.page]));
}

describe('sending a batch', () => {
  it('keeps every version of a message on its page as it is claimed and its outcome written', async () => {
    const recipients = Array.from({ length: RECIPIENTS }, (_, i) => ({ phone: mobile(i), fields: { naam: `Klant ${i}` } }));
    const batchId = await batches(call, () => org.key).submit('TGG', BODY, recipients);
    const before = await pages(batchId);
    expect(before.size).toBe(RECIPIENTS);

    let smsc = 0;
    for (let from = 0; from < RECIPIENTS; ) {
      const window = await claimWindow(db, { batchId, from, to: RECIPIENTS, size: WINDOW });
      expect(window.messages.length).toBeGreaterThan(0);
      from = window.lastSeq + 1;
      const doneAt = new Date();
      const outcomes = window.messages.map((m): MessageOutcome => {
        smsc += 1;
        return { id: m.id, status: 'sent', providerMessageId: `smsc-${smsc}`, errorCode: null, parts: [{ part: 1, smscId: `smsc-${smsc}`, state: 'delivered', networkError: undefined, doneAt }] };
      });
      await writeOutcomes(db, window.claimId, outcomes);
    }

    const after = await pages(batchId);
    const moved = [...before].filter(([id, page]) => after.get(id) !== page).length;
    expect(moved).toBe(0);
    const delivered = await ctx.db.selectFrom('sms_messages').select((eb) => eb.fn.countAll<string>().as('n')).where('batch_id', '=', batchId).where('status', '=', 'delivered').executeTakeFirstOrThrow();
    expect(Number(delivered.n)).toBe(RECIPIENTS);
  });
});
