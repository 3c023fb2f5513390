// IDN addresses in privacy requests (issue 15): a request filed with a Unicode domain finds the
// data stored with the punycode domain (as the newsletter keeps addresses) and with the Unicode
// one (as contacts and users keep what was typed), and the reverse; an erasure by either form
// leaves neither. The normalisation is the newsletter's (normaliseAddress).
import { describe, expect, it } from 'vitest';
import { checkFiling } from '../workers/privacy/filing.js';
import { eachFamily, findEverywhere } from '../workers/privacy/reaches.js';
import { subjectOf } from '../workers/privacy/subject.js';
import { suppressionHash } from '../workers/newsletter/suppression.js';
import { createTestContext } from './helpers/context.js';
import { scanDatabase } from './helpers/privacy.js';

const ctx = await createTestContext();
const key = ctx.config.suppressionKey;
const org = await ctx.db.insertInto('organizations').values({ name: 'Boekhandel', slug: 'boekhandel-idn' }).returning('id').executeTakeFirstOrThrow();

/** The person's address typed with the Unicode domain in a contact, kept in punycode by the newsletter. */
async function seed(local: string) {
  await ctx.db.insertInto('contacts').values({ organization_id: org.id, role: 'main', name: 'Lezer', email: `${local}@Bücher.nl` }).execute();
  const list = await ctx.db.insertInto('newsletter_lists').values({ organization_id: org.id, name: `Lijst ${local}`, updated_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow();
  await ctx.db.insertInto('newsletter_subscribers').values({ organization_id: org.id, list_id: list.id, email: `${local}@xn--bcher-kva.nl`, name: 'Lezer' }).execute();
}

/** The subject a request filed with this address reaches (as filing and processing build it). */
const subjectFiled = (email: string) => subjectOf({ email: checkFiling({ type: 'access', email }).filing.email, phone: null, name: null }, key);

describe('IDN addresses', () => {
  it('a request with the Unicode domain finds the punycode and the Unicode rows, and the reverse', async () => {
    await seed('lezer');
    for (const filed of ['Lezer@Bücher.nl', 'lezer@xn--bcher-kva.nl']) {
      const found = await findEverywhere(ctx.db, subjectFiled(filed));
      expect(found['identity.contacts'], filed).toHaveLength(1);
      expect(found['newsletter.subscribers'], filed).toHaveLength(1);
    }
    // One keyed hash for both forms: what the ledger, restrictions and suppressions hold.
    const unicode = subjectFiled('lezer@bücher.nl');
    expect(unicode.hashes).toEqual([suppressionHash(key, 'lezer@xn--bcher-kva.nl')]);
    expect(unicode.emails).toEqual(['lezer@xn--bcher-kva.nl', 'lezer@bücher.nl']);
  });

  it('an erasure by the punycode form leaves neither form anywhere', async () => {
    await seed('wisser');
    await eachFamily(ctx.db, (reach) => (trx) => reach.erase(trx, subjectFiled('wisser@xn--bcher-kva.nl')));
    expect(await scanDatabase(ctx.db, ['wisser@bücher.nl', 'wisser@xn--bcher-kva.nl'])).toEqual([]);
    // The other person sharing the domain is untouched.
    expect((await scanDatabase(ctx.db, ['lezer@bücher.nl'])).length).toBeGreaterThan(0);
  });
});
