// What the send path holds back that came after the intake, now that the claim looks up the
// keyed hashes stored with each message (store.ts claimWindow, sms_messages.phone_hash and
// email_hash): a STOP reply, or the member's own opt-out, that came while the batch waited
// (nothing marks its queued messages: before, they were sent to); a message stored without
// hashes (older than the columns, or taken in when nothing was to be checked) is hashed by the
// worker and held all the same; every intake stores the hashes its lookups made, as the
// restrictions and opt-outs are hashed; and an erasure and the retention purge clear them with
// the number.
import { describe, expect, it } from 'vitest';
import { suppressionHash } from '../workers/newsletter/suppression.js';
import { identifierHash, subjectOf } from '../workers/privacy/subject.js';
import { RETENTION_POLICY } from '../workers/retention/policy.js';
import { purgeAll } from '../workers/retention/purge.js';
import { ensureHouseOrganization } from '../workers/newsletter/house.js';
import { phoneHash } from '../workers/sms/opt-outs.js';
import { queueSingleSms } from '../workers/sms/single-sms.js';
import { smsPrivacy } from '../workers/sms/privacy.js';
import { waitFor } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';
import { mobile } from './helpers/sms.js';
import { sentNow, smppPlatform } from './helpers/sms-scheduled.js';
import { reply } from './helpers/smsc-replies.js';

const { smsc, ctx, runtime } = await smppPlatform();
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Fysio West');
const key = ctx.config.suppressionKey;

type Recipient = { phone: string; email?: string } | { email: string };

/** A batch scheduled an hour ahead (stored whole, not yet sent): its id. */
async function scheduled(recipients: readonly Recipient[], purpose: 'service' | 'marketing' = 'service'): Promise<string> {
  const body = { sender: '+3197010000001', purpose, body: 'Uw afspraak is morgen. Afmelden: STOP', sendAt: new Date(Date.now() + 3_600_000).toISOString(), recipients };
  const batch = await call<{ id: string; status: string }>('post', '/v1/sms/batches', { auth: org.key, body });
  expect(batch.body.status).toBe('scheduled');
  return batch.body.id;
}

const received = () => smsc.received.map((r) => `+${r.destination}`).sort();
const hashesOf = (batchId: string) => ctx.db.selectFrom('sms_messages').select(['phone', 'email', 'phone_hash', 'email_hash']).where('batch_id', '=', batchId).orderBy('seq').execute();
const restrict = (kind: 'phone' | 'email', value: string) =>
  ctx.db.insertInto('privacy_restrictions').values({ identifier_hash: identifierHash(key, kind, value), request_id: null }).onConflict((oc) => oc.column('identifier_hash').doNothing()).execute();

async function csvBatch(lines: readonly string[]): Promise<string> {
  const form = new FormData();
  form.append('sender', 'TGG');
  form.append('body', 'Hallo');
  form.append('sendAt', new Date(Date.now() + 3_600_000).toISOString());
  form.append('file', new Blob([`phone,email\n${lines.join('\n')}\n`], { type: 'text/csv' }), 'r.csv');
  const response = await fetch(`${baseUrl(runtime)}/v1/sms/batches/csv`, { method: 'POST', headers: { authorization: `Bearer ${org.key}` }, body: form });
  const body = (await response.json()) as { id: string };
  expect(response.status).toBe(202);
  return body.id;
}

describe('a STOP that comes while the batch waits (the organisation had no opt-out, the platform no restriction)', () => {
  it('holds its number back as the window goes, and the rest is sent', async () => {
    const stopper = mobile(8_100_001);
    const other = mobile(8_100_002);
    const id = await scheduled([{ phone: stopper }, { phone: other }]);

    // A plain STOP from the number: an opt-out for every organisation that has texted it (this
    // batch's, queued); nothing marks the queued message. Before, it was sent all the same.
    expect(await reply(smsc, stopper.slice(1), 'STOP')).toBe(0);
    await waitFor(async () => (await ctx.db.selectFrom('sms_opt_outs').select('masked').where('organization_id', '=', org.id).executeTakeFirst()) ?? undefined, 'the STOP stored');
    // Its confirmation goes to the number just opted out: an opt-out does not hold that one back.
    const confirmation = () =>
      ctx.db.selectFrom('sms_messages as m').innerJoin('sms_batches as b', 'b.id', 'm.batch_id').select('m.status').where('b.purpose', '=', 'opt-out-confirmation').where('m.phone', '=', stopper).executeTakeFirst();
    expect(await waitFor(async () => ((await confirmation())?.status === 'sent' ? 'sent' : undefined), 'the confirmation sent')).toBe('sent');
    smsc.received.length = 0;
    expect(await sentNow(ctx, id)).toEqual({ [stopper]: 'suppressed', [other]: 'sent' });
    expect(received()).toEqual([other]);
  });
});

describe("the platform's own texts", () => {
  it("a privacy request's code goes to a number that replied STOP to the house organisation (a person's rights are no marketing)", async () => {
    const { organizationId } = await ensureHouseOrganization(ctx.db);
    const person = mobile(8_150_001);
    await ctx.db.insertInto('sms_opt_outs').values({ organization_id: organizationId, phone_hash: phoneHash(key, person), masked: '+31 6 ****0001', source: 'reply' }).execute();
    const jobs = await queueSingleSms(ctx.db, { organizationId, purpose: 'service', sender: 'TGG', text: 'Uw code is 123456.', phone: { e164: person, countryCallingCode: '31' } });
    const job = jobs[0];
    const batchId = job?.name === 'sms.send-chunk' ? (job.payload as { batchId: string }).batchId : '';
    smsc.received.length = 0;
    expect(await sentNow(ctx, batchId)).toEqual({ [person]: 'sent' });
    expect(received()).toEqual([person]);
  });
});

describe('a message the claim can look up by its stored hashes', () => {
  it('every intake (a small batch, a large JSON one by COPY, a CSV upload) stores the hashes of number and address, as opt-outs and restrictions are hashed', async () => {
    // The organisation has an opt-out now (above): the intake hashes every number, and a restriction anywhere makes it hash the addresses too.
    await restrict('phone', mobile(8_999_999));
    const small = await scheduled([{ phone: mobile(8_200_001), email: 'Klant@Voorbeeld.nl' }, { email: 'alleen@voorbeeld.nl' }]);
    await restrict('email', 'groot9@voorbeeld.nl');
    const large = await scheduled(Array.from({ length: 1_000 }, (_, i) => (i === 7 ? { email: `groot${i}@voorbeeld.nl` } : { phone: mobile(8_300_000 + i), email: `groot${i}@voorbeeld.nl` })));
    // By COPY too, a restricted address beside a number holds the message at the intake (as a small batch's does).
    expect(await ctx.db.selectFrom('sms_messages').select(['phone', 'status', 'cost']).where('batch_id', '=', large).where('status', '<>', 'queued').execute()).toEqual([
      { phone: mobile(8_300_009), status: 'suppressed', cost: '0.0000' },
    ]);
    const csv = await csvBatch([`${mobile(8_400_001)},csv@voorbeeld.nl`, `${mobile(8_400_002)},`, `,alleen-csv@voorbeeld.nl`]);
    for (const id of [small, large, csv]) {
      const rows = await hashesOf(id);
      expect(rows.length).toBeGreaterThan(0);
      for (const m of rows) {
        expect(m.phone_hash?.toString('hex') ?? null).toBe(m.phone === null ? null : phoneHash(key, m.phone).toString('hex'));
        expect(m.email_hash?.toString('hex') ?? null).toBe(m.email === null ? null : suppressionHash(key, m.email).toString('hex'));
      }
    }
    // The CSV's lines came back whole around the hashes: nothing else of a message was changed.
    expect((await ctx.db.selectFrom('sms_messages').select(['phone', 'email', 'status', 'cost']).where('batch_id', '=', csv).orderBy('seq').execute()).map((m) => [m.phone, m.email, m.status])).toEqual([
      [mobile(8_400_001), 'csv@voorbeeld.nl', 'queued'],
      [mobile(8_400_002), null, 'queued'],
      [null, 'alleen-csv@voorbeeld.nl', 'queued'],
    ]);
  });

  it("holds back a number the member opted out after the intake, a restricted address beside a number, and texts the rest", async () => {
    const optedOut = mobile(8_500_001);
    const addressed = mobile(8_500_002);
    const other = mobile(8_500_003);
    const id = await scheduled([{ phone: optedOut }, { phone: addressed, email: 'later@voorbeeld.nl' }, { phone: other }]);
    expect((await hashesOf(id)).every((m) => m.phone_hash !== null)).toBe(true);
    expect((await call('post', '/v1/sms/opt-outs', { auth: org.key, body: { phone: optedOut } })).status).toBeLessThan(300);
    await restrict('email', 'later@voorbeeld.nl');
    smsc.received.length = 0;
    expect(await sentNow(ctx, id)).toEqual({ [optedOut]: 'suppressed', [addressed]: 'suppressed', [other]: 'sent' });
    expect(received()).toEqual([other]);
  });
});

describe('a message stored without hashes (before the columns, or when nothing was to be checked)', () => {
  it('is hashed by the worker and held back by an opt-out or a restriction all the same', async () => {
    const optedOut = mobile(8_600_001);
    const restricted = mobile(8_600_002);
    const other = mobile(8_600_003);
    const id = await scheduled([{ phone: optedOut }, { phone: restricted }, { phone: other }]);
    await ctx.db.updateTable('sms_messages').set({ phone_hash: null, email_hash: null }).where('batch_id', '=', id).execute();
    expect((await call('post', '/v1/sms/opt-outs', { auth: org.key, body: { phone: optedOut } })).status).toBeLessThan(300);
    await restrict('phone', restricted);
    smsc.received.length = 0;
    expect(await sentNow(ctx, id)).toEqual({ [optedOut]: 'suppressed', [restricted]: 'suppressed', [other]: 'sent' });
    expect(received()).toEqual([other]);
  });

  it('a stored hash that names no one does not hold back a number the lookup of its own would (the stored hash is what is asked)', async () => {
    // Not a case the platform makes: it shows the claim asks the stored hash, not the number.
    const number = mobile(8_700_001);
    const id = await scheduled([{ phone: number }]);
    await ctx.db.updateTable('sms_messages').set({ phone_hash: phoneHash(key, mobile(8_700_999)) }).where('batch_id', '=', id).execute();
    await restrict('phone', number);
    smsc.received.length = 0;
    expect(await sentNow(ctx, id)).toEqual({ [number]: 'sent' });
  });
});

describe('the hashes are personal data as the number is', () => {
  it('an erasure clears them with the number and the address', async () => {
    const person = mobile(8_800_001);
    const id = await scheduled([{ phone: person, email: 'wis@voorbeeld.nl' }, { phone: mobile(8_800_002) }]);
    expect((await hashesOf(id))[0]?.phone_hash).not.toBeNull();
    await ctx.db.transaction().execute((trx) => smsPrivacy.erase(trx, subjectOf({ email: 'wis@voorbeeld.nl', phone: person, name: null }, key)));
    const [erased, kept] = await hashesOf(id);
    expect(erased).toEqual({ phone: null, email: null, phone_hash: null, email_hash: null });
    expect(kept?.phone_hash).not.toBeNull();
  });

  it('the retention purge clears them with the number', async () => {
    const id = await scheduled([{ phone: mobile(8_900_001), email: 'oud@voorbeeld.nl' }]);
    expect((await hashesOf(id))[0]?.email_hash).not.toBeNull();
    await purgeAll(ctx.db, RETENTION_POLICY, { now: new Date(Date.now() + 400 * 86_400_000), batchSize: 1_000 });
    expect(await hashesOf(id)).toEqual([{ phone: null, email: null, phone_hash: null, email_hash: null }]);
  });
});
