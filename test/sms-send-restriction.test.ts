// A privacy restriction (art. 18: stored only, nothing sent) marks 'suppressed' the queued SMS
// messages it finds (workers/sms/privacy.ts), but not those of a batch still being stored as it
// runs (its intake transaction open, past the intake's own check): those were texted later.
// The e-mails of such a batch were already held as each window went (sms-mail-suppression);
// the numbers now are too. The restriction is stored directly, after the intake, which leaves
// the same state as that race.
import { describe, expect, it } from 'vitest';
import { identifierHash } from '../workers/privacy/subject.js';
import { caller, newOrganization, opsAuth } from './helpers/identity.js';
import { scrape, valueOf } from './helpers/metrics.js';
import { mobile } from './helpers/sms.js';
import { sentNow, smppPlatform } from './helpers/sms-scheduled.js';

const { smsc, ctx, runtime } = await smppPlatform();
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Tandarts Oost');

/** A batch to `phones` (each with an address beside it, if given) scheduled an hour ahead (stored whole, not yet sent): its id. */
async function scheduled(phones: readonly string[], emails: Record<string, string> = {}): Promise<string> {
  const recipients = phones.map((phone) => ({ phone, email: emails[phone] }));
  const body = { sender: 'TGG', purpose: 'service', body: 'Uw afspraak is morgen om 10:00.', sendAt: new Date(Date.now() + 3_600_000).toISOString(), recipients };
  const batch = await call<{ id: string; status: string }>('post', '/v1/sms/batches', { auth: org.key, body });
  expect(batch.body.status).toBe('scheduled');
  return batch.body.id;
}

const received = () => smsc.received.map((r) => `+${r.destination}`).sort();

describe('a batch whose number a privacy restriction came to hold after the intake', () => {
  it('texts nothing to that number: it ends suppressed, counted as the provider\'s suppressed', async () => {
    const restricted = mobile(7_100_001);
    const other = mobile(7_100_002);
    const id = await scheduled([restricted, other]);
    await ctx.db.insertInto('privacy_restrictions').values({ identifier_hash: identifierHash(ctx.config.suppressionKey, 'phone', restricted), request_id: null }).execute();
    smsc.received.length = 0;

    // Both in the one window: the held number gets nothing at the SMSC, the other goes.
    expect(await sentNow(ctx, id)).toEqual({ [restricted]: 'suppressed', [other]: 'sent' });
    expect(received()).toEqual([other]);
    const body = await scrape(runtime.port, opsAuth(ctx));
    expect(valueOf(body, 'tgg_sms_messages_total', { provider: 'smpp', outcome: 'suppressed' })).toBe(1);
    expect(valueOf(body, 'tgg_sms_messages_total', { provider: 'smpp', outcome: 'submitted' })).toBe(1);
  });

  it('texts nothing to a number whose address beside it a restriction came to hold (as the intake holds it)', async () => {
    const named = mobile(7_300_001);
    const other = mobile(7_300_002);
    const id = await scheduled([named, other], { [named]: 'later-beperkt@voorbeeld.nl', [other]: 'klant@voorbeeld.nl' });
    await ctx.db.insertInto('privacy_restrictions').values({ identifier_hash: identifierHash(ctx.config.suppressionKey, 'email', 'Later-Beperkt@Voorbeeld.nl'), request_id: null }).execute();
    smsc.received.length = 0;
    expect(await sentNow(ctx, id)).toEqual({ [named]: 'suppressed', [other]: 'sent' });
    expect(received()).toEqual([other]);
  });

  it('still texts every number the restrictions on the platform do not name', async () => {
    // A restriction of someone else is stored: the window is looked up, and nothing found.
    const phones = [mobile(7_200_001), mobile(7_200_002), mobile(7_200_003)];
    const id = await scheduled(phones);
    await ctx.db
      .insertInto('privacy_restrictions')
      .values({ identifier_hash: identifierHash(ctx.config.suppressionKey, 'phone', mobile(7_200_009)), request_id: null })
      .onConflict((oc) => oc.column('identifier_hash').doNothing())
      .execute();
    smsc.received.length = 0;
    expect(await sentNow(ctx, id)).toEqual(Object.fromEntries(phones.map((p) => [p, 'sent'])));
    expect(received()).toEqual([...phones].sort());
  });
});
