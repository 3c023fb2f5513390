// Adversary5: anyone may type an address or number into the privacy form. A request that names
// a person by an identifier its filer never proved was listed whole in that person's access
// export: the filer's own address, name and message (a complaint's text) went to a stranger
// (GDPR art. 15(4)); the person's erasure wiped that filer's request whole (a complaint ops must
// still answer). Now such a request is listed as filed by someone else, without the filer's data,
// and an erasure takes only the person's number from it.
import { describe, expect, it } from 'vitest';
import { findEverywhere } from '../workers/privacy/reaches.js';
import { privacySelf } from '../workers/privacy/self.js';
import { fileRequest, markVerified } from '../workers/privacy/requests.js';
import { subjectOf } from '../workers/privacy/subject.js';
import { createTestContext } from './helpers/context.js';

const ctx = await createTestContext();
const number = '+31611223344';

async function filed(filing: { type: 'complaint' | 'access'; email: string | null; phone: string | null; name: string | null; message: string | null }, verifiedBy: 'email' | 'phone') {
  const request = await fileRequest(ctx.db, { ...filing, rectification: null }, 'public');
  await ctx.db.transaction().execute((trx) => markVerified(trx, request.id, verifiedBy));
  return request.id;
}

describe("the access export's privacy requests", () => {
  it("lists a request naming the person's number but filed and verified by someone else's address without that someone", async () => {
    const stranger = await filed({ type: 'complaint', email: 'klager@elders.nl', phone: number, name: 'Karel Klager', message: 'Mijn buurman belt mij steeds' }, 'email');
    const own = await filed({ type: 'access', email: null, phone: number, name: 'Nummerhouder', message: 'Wat hebben jullie van mij?' }, 'phone');
    const found = await findEverywhere(ctx.db, subjectOf({ email: null, phone: number, name: null }, ctx.config.suppressionKey));
    const items = found['privacy.requests'] ?? [];
    expect(items.find((i) => i.id === own)?.data).toMatchObject({ type: 'access', phone: number, name: 'Nummerhouder', message: 'Wat hebben jullie van mij?' });
    const theirs = items.find((i) => i.id === stranger);
    expect(theirs?.data).toMatchObject({ type: 'complaint', phone: number, email: null, filedBySomeoneElse: true });
    expect(JSON.stringify(found)).not.toMatch(/klager@elders|Karel|buurman/);
  });

  it("erases the person's number from a request someone else verified, and nothing of theirs", async () => {
    const other = '+31611223355';
    const stranger = await filed({ type: 'complaint', email: 'melder@elders.nl', phone: other, name: 'Mia Melder', message: 'Mijn klacht' }, 'email');
    const own = await filed({ type: 'access', email: null, phone: other, name: 'Houder', message: null }, 'phone');
    const unverified = (await fileRequest(ctx.db, { type: 'erasure', email: null, phone: other, name: 'Onbekend', message: 'niet bevestigd', rectification: null }, 'public')).id;
    await ctx.db.transaction().execute((trx) => privacySelf.erase(trx, subjectOf({ email: null, phone: other, name: null }, ctx.config.suppressionKey)));
    const rows = await ctx.db.selectFrom('privacy_requests').select(['id', 'email', 'phone', 'name', 'message']).where('id', 'in', [stranger, own, unverified]).execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(stranger)).toMatchObject({ email: 'melder@elders.nl', phone: null, name: 'Mia Melder', message: 'Mijn klacht' });
    expect(byId.get(own)).toMatchObject({ email: null, phone: null, name: null, message: null });
    expect(byId.get(unverified)).toMatchObject({ phone: null, name: null, message: null });
  });

  // Review4: the filer's message may write the person's number (or address) too: it stayed there
  // after the erasure took the number out of the request's own field.
  it("takes the person's number and address, in the forms people write them, out of the message of a request someone else verified", async () => {
    const stranger = await filed(
      { type: 'complaint', email: 'buur@elders.nl', phone: '+31611223366', name: 'Bram Buur', message: 'Nummer 06-11223366 en +31 6 11223366 belt, mail Iemand@Voorbeeld.nl; mijn eigen: 0611223377' },
      'email',
    );
    await ctx.db.transaction().execute((trx) => privacySelf.erase(trx, subjectOf({ email: 'iemand@voorbeeld.nl', phone: '+31611223366', name: null }, ctx.config.suppressionKey)));
    const row = await ctx.db.selectFrom('privacy_requests').select(['email', 'phone', 'name', 'message']).where('id', '=', stranger).executeTakeFirstOrThrow();
    expect(row).toEqual({ email: 'buur@elders.nl', phone: null, name: 'Bram Buur', message: 'Nummer [erased] en [erased] belt, mail [erased]; mijn eigen: 0611223377' });
  });
});
