// An ops "resend unknown" after an erasure: the erased recipient's message (number, address,
// text and their hashes gone, status left 'unknown') is not queued again. Queued, it was claimed
// with no number, no text and no hash to hold it back by, and handed to the provider.
import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { opsActor } from '../workers/core/audit.js';
import { requeueUnknown } from '../workers/sms/resend-unknown.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Stichting Wissen');

it('queues again only the unknown messages not anonymised since', async () => {
  const id = await batches(call, () => org.key).submit('TGG', 'Uw afspraak is morgen', [{ phone: mobile(1) }, { phone: mobile(2) }]);
  await sql`UPDATE sms_messages SET status = 'unknown' WHERE batch_id = ${id}`.execute(ctx.db);
  await sql`UPDATE sms_batches SET status = 'completed', completed_at = now() WHERE id = ${id}`.execute(ctx.db);
  // As smsPrivacy.erase leaves it: the status stays 'unknown'.
  await sql`UPDATE sms_messages SET phone = NULL, email = NULL, phone_hash = NULL, email_hash = NULL, fields = NULL, text = NULL, anonymised_at = now()
            WHERE batch_id = ${id} AND seq = 0`.execute(ctx.db);

  const outcome = await requeueUnknown(ctx.db, id, opsActor('ops'));
  expect(outcome.requeued).toBe(1);
  const rows = await ctx.db.selectFrom('sms_messages').select(['seq', 'status']).where('batch_id', '=', id).orderBy('seq').execute();
  expect(rows).toEqual([
    { seq: 0, status: 'unknown' },
    { seq: 1, status: 'queued' },
  ]);
});
