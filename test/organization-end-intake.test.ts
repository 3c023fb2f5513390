// Ending an organisation while one of its batches is being taken in (adversarial review, 8
// December): the end cancels the batches it sees, in one transaction; a batch whose intake had
// not committed yet (a large JSON batch, stored in one transaction) or had not begun (a CSV
// upload whose caller was let in before the end, its file still on the way) was not among them,
// and went out after the end. None of its messages may reach the SMSC.
import { request } from 'node:http';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { waitFor } from './helpers/context.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { untilLockWait } from './helpers/lock-wait.js';
import { mobile } from './helpers/sms.js';
import { smppPlatform } from './helpers/sms-scheduled.js';

const { smsc, ctx, runtime } = await smppPlatform();
const call = caller(runtime);

const end = (orgId: string) => call('post', `/ops/organizations/${orgId}/end`, { auth: opsAuth(ctx) });

/** The batch's status once nothing of it is queued or being sent any more; what the SMSC got meanwhile. */
async function settled(orgId: string): Promise<{ status: string; messages: string[] }> {
  return waitFor(async () => {
    const batch = await ctx.db.selectFrom('sms_batches').select(['id', 'status']).where('organization_id', '=', orgId).executeTakeFirst();
    if (!batch || batch.status === 'validating') return undefined;
    const open = await ctx.db.selectFrom('sms_messages').select('id').where('batch_id', '=', batch.id).where('status', 'in', ['queued', 'sending']).limit(1).execute();
    if (open.length > 0 && batch.status !== 'cancelled') return undefined;
    const messages = await ctx.db.selectFrom('sms_messages').select('status').distinct().where('batch_id', '=', batch.id).execute();
    return { status: batch.status, messages: messages.map((m) => m.status).sort() };
  }, 'the batch settled', 20_000);
}

const sentTo = (phones: ReadonlySet<string>) => smsc.received.filter((r) => phones.has(`+${r.destination}`));

describe('an organisation ended while a batch of it is being taken in', () => {
  it('a large JSON batch whose transaction is still open as the end commits: nothing of it is sent', async () => {
    const org = await newOrganization(call, ctx, 'Groothandel Laat');
    const phones = Array.from({ length: 1_500 }, (_, i) => mobile(500_000 + i));
    const { intake, ended } = await ctx.db.connection().execute(async (conn) => {
      // Parks the intake inside its transaction (batch row written, messages not yet): as a large batch's COPY takes seconds.
      await sql`BEGIN`.execute(conn);
      await sql`LOCK TABLE sms_messages IN SHARE MODE`.execute(conn);
      const pending = call<{ id: string; status: string }>('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Laat', body: 'Uw bestelling is onderweg.', recipients: phones.map((phone) => ({ phone })) } });
      await untilLockWait(ctx.db, 'the intake to wait inside its transaction');
      const endAnswer = await end(org.id);
      await sql`COMMIT`.execute(conn);
      return { intake: await pending, ended: endAnswer };
    });
    expect(ended.status).toBe(200);
    // Refused (nothing stored), or accepted and cancelled before any of it went.
    if (intake.status === 202) {
      const outcome = await settled(org.id);
      expect(outcome).toEqual({ status: 'cancelled', messages: ['cancelled'] });
    } else {
      expect(intake.status).toBe(401);
      expect(await ctx.db.selectFrom('sms_batches').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);
    }
    // Time for a chunk job the intake would have enqueued.
    await new Promise((r) => setTimeout(r, 500));
    expect(sentTo(new Set(phones))).toEqual([]);
  });

  it('a CSV upload let in before the end, its file sent after it: nothing of it is sent', async () => {
    const org = await newOrganization(call, ctx, 'Drukkerij Traag');
    const phones = Array.from({ length: 300 }, (_, i) => mobile(600_000 + i));
    const boundary = 'grens-0123456789';
    const part = (name: string, value: string, filename?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"\r\nContent-Type: text/csv` : ''}\r\n\r\n${value}\r\n`;
    const head = part('sender', 'Traag');
    const rest = part('body', 'Uw drukwerk is klaar.') + part('file', ['phone', ...phones].join('\n'), 'klanten.csv') + `--${boundary}--\r\n`;
    const url = new URL(`http://127.0.0.1:${runtime.port}/v1/sms/batches/csv`);
    const answer = new Promise<number>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${org.key}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': Buffer.byteLength(head + rest) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.write(head);
      // The caller is let in (its key resolved and touched) before the end; the rest of the body comes after it.
      void waitFor(async () => (await ctx.db.selectFrom('api_keys').select('last_used_at').where('organization_id', '=', org.id).executeTakeFirstOrThrow()).last_used_at !== null, 'the key to be used')
        .then(async () => {
          expect((await end(org.id)).status).toBe(200);
          req.end(rest);
        })
        .catch(reject);
    });
    expect([202, 401, 409]).toContain(await answer);
    const outcome = await waitFor(async () => {
      const batch = await ctx.db.selectFrom('sms_batches').select('id').where('organization_id', '=', org.id).executeTakeFirst();
      return batch ? settled(org.id) : (await answer) === 202 ? undefined : { status: 'none', messages: [] };
    }, 'the upload settled');
    expect(['cancelled', 'none']).toContain(outcome.status);
    expect(sentTo(new Set(phones))).toEqual([]);
  });

  it('a batch the end did not see (stored in one statement as it committed): the send cancels it, nothing goes', async () => {
    const org = await newOrganization(call, ctx, 'Bakkerij Ongezien');
    const phones = [mobile(700_001), mobile(700_002)];
    const body = { sender: 'Bakker', body: 'Uw taart is klaar.', sendAt: new Date(Date.now() + 3_600_000).toISOString(), recipients: phones.map((phone) => ({ phone })) };
    const batch = await call<{ id: string; status: string }>('post', '/v1/sms/batches', { auth: org.key, body });
    expect(batch.body.status).toBe('scheduled');
    // The state that race leaves: the organisation ended, its batch still open.
    await ctx.db.updateTable('organizations').set({ ended_at: sql<Date>`now()` }).where('id', '=', org.id).execute();
    await ctx.db.updateTable('sms_batches').set({ send_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', batch.body.id).execute();
    const scheduler = await ctx.start({ roles: ['scheduler'], config: ctx.configWith({ RECONCILE_INTERVAL_MS: '100' }) });
    try {
      expect(await settled(org.id)).toEqual({ status: 'cancelled', messages: ['cancelled'] });
    } finally {
      await scheduler.stop();
    }
    expect(sentTo(new Set(phones))).toEqual([]);
    const audits = await ctx.db.selectFrom('audit_log').select(['actor_type', 'actor_id']).where('action', '=', 'sms.batch.cancelled').where('entity_id', '=', batch.body.id).execute();
    expect(audits).toEqual([{ actor_type: 'system', actor_id: 'organization-ended' }]);
  });

  it('a campaign the end did not see (stored as it committed): cancelled at its start, nothing mailed', async () => {
    const org = await newOrganization(call, ctx, 'Nieuwsbrief Ongezien');
    const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Klanten' } })).body;
    expect((await call('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: 'klant@voorbeeld.nl' }] } })).status).toBe(200);
    // Sent now: its start job waits in the queue (no mail worker runs yet).
    const campaign = (await call<{ id: string; status: string }>('post', '/v1/campaigns', { auth: org.key, body: { listId: list.id, subject: 'Nieuws', html: '<p>Hallo</p>' } })).body;
    expect(campaign.status).toBe('scheduled');
    // The state that race leaves: the organisation ended, its campaign still scheduled.
    await ctx.db.updateTable('organizations').set({ ended_at: sql<Date>`now()` }).where('id', '=', org.id).execute();
    const workers = await ctx.start({ roles: ['mail'] });
    try {
      const status = await waitFor(async () => {
        const row = await ctx.db.selectFrom('newsletter_campaigns').select('status').where('id', '=', campaign.id).executeTakeFirstOrThrow();
        return row.status === 'scheduled' || row.status === 'queued' || row.status === 'sending' ? undefined : row.status;
      }, 'the campaign settled');
      expect(status).toBe('cancelled');
    } finally {
      await workers.stop();
    }
    expect(await ctx.db.selectFrom('newsletter_deliveries').select('id').where('campaign_id', '=', campaign.id).execute()).toEqual([]);
  });
});
