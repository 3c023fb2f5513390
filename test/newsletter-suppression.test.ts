// The newsletter suppression list (issue 14, P12) and VERP return paths: a suppressed address
// is never imported again nor signed up, the list holds keyed hashes only, and a VERP address
// names its delivery only with our tag.
import { describe, expect, it } from 'vitest';
import { importSubscribers } from '../workers/newsletter/import.js';
import { isSuppressed, suppress, suppressionHash } from '../workers/newsletter/suppression.js';
import { unsubscribeByToken, unsubscribeToken } from '../workers/newsletter/unsubscribe.js';
import { sentCampaign } from './helpers/newsletter.js';
import { parseVerp, verpReturnPath } from '../workers/newsletter/verp.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const org = await newOrganization(call, ctx, 'Onderdrukt BV');
const other = await newOrganization(call, ctx, 'Ander BV');
const key = ctx.config.suppressionKey;
const consent = { basis: 'consent' as const, privacyStatement: '31 July 2018' };

describe('suppression', () => {
  it('is a keyed hash of the normalised address, per organisation', async () => {
    expect(suppressionHash(key, ' Piet@Voorbeeld.NL ')).toEqual(suppressionHash(key, 'piet@voorbeeld.nl'));
    expect(suppressionHash(key, 'piet@voorbeeld.nl')).not.toEqual(suppressionHash('another-key-of-at-least-32-characters!', 'piet@voorbeeld.nl'));
    await ctx.db.transaction().execute((trx) => suppress(trx, key, org.id, 'Piet@Voorbeeld.nl', 'unsubscribe'));
    expect(await isSuppressed(ctx.db, key, org.id, 'piet@voorbeeld.nl')).toBe(true);
    expect(await isSuppressed(ctx.db, key, other.id, 'piet@voorbeeld.nl')).toBe(false);
    const rows = await ctx.db.selectFrom('newsletter_suppressions').selectAll().execute();
    expect(JSON.stringify(rows)).not.toMatch(/piet/i);
  });

  // Adversary5: each POST of one valid unsubscribe link wrote an audit entry, so a recipient's own
  // link posted in a loop (300 a minute an address) filled the audit log. Now only a change is audited.
  it('audits an unsubscribe once, however often its link is posted', async () => {
    const sent = await sentCampaign(ctx.db, key, org.id, ['herhaal@voorbeeld.nl']);
    const [delivery] = sent.deliveries;
    const token = unsubscribeToken(ctx.config.secretKey, delivery!.id, delivery!.subscriberId);
    for (let i = 0; i < 3; i++) expect(await unsubscribeByToken(ctx.db, ctx.config, token)).toBe('unsubscribed');
    const entries = await ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'newsletter.unsubscribed').where('entity_id', '=', delivery!.subscriberId).execute();
    expect(entries).toHaveLength(1);
    expect(await isSuppressed(ctx.db, key, org.id, 'herhaal@voorbeeld.nl')).toBe(true);
  });

  it('unsubscribes the address and keeps it out of later imports', async () => {
    const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Leden' } })).body;
    const target = { organizationId: org.id, listId: list.id };
    const first = await importSubscribers(ctx.db, target, [{ email: 'kees@voorbeeld.nl' }, { email: 'piet@voorbeeld.nl' }], consent, key);
    expect(first).toMatchObject({ added: 1, suppressed: 1 });
    await ctx.db.transaction().execute((trx) => suppress(trx, key, org.id, 'kees@voorbeeld.nl', 'hard_bounce'));
    const kees = await ctx.db.selectFrom('newsletter_subscribers').select('status').where('email', '=', 'kees@voorbeeld.nl').executeTakeFirstOrThrow();
    expect(kees.status).toBe('unsubscribed');
    // Erased meanwhile: the row is gone, the hash still keeps the address out.
    await ctx.db.deleteFrom('newsletter_subscribers').where('email', '=', 'kees@voorbeeld.nl').execute();
    const again = await call<{ added: number; suppressed: number }>('post', `/v1/lists/${list.id}/subscribers`, { auth: org.key, body: { subscribers: [{ email: 'Kees@voorbeeld.nl' }, { email: 'nieuw@voorbeeld.nl' }], basis: 'consent' } });
    expect(again.body).toMatchObject({ added: 1, suppressed: 1 });
  });

  it('takes a public sign-up of a suppressed address with the usual answer and mails nothing', async () => {
    const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Publiek' } })).body;
    const answer = await call('post', `/public/lists/${list.id}/subscribe`, { body: { email: 'piet@voorbeeld.nl' } });
    expect(answer.status).toBe(202);
    expect(await ctx.db.selectFrom('newsletter_signups').select('id').execute()).toEqual([]);
    expect(await ctx.db.selectFrom('mail_messages').select('id').execute()).toEqual([]);
  });
});

describe('VERP return paths', () => {
  const settings = { secretKey: ctx.config.secretKey, bounceDomain: 'bounces.tgg.test' };

  it('name their delivery, also with the case folded', () => {
    const path = verpReturnPath(settings, 12345);
    expect(path).toMatch(/^bounces\+12345\.[0-9a-f]{20}@bounces\.tgg\.test$/);
    expect(parseVerp(settings, path)).toBe(12345);
    expect(parseVerp(settings, `<${path.toUpperCase()}>`)).toBe(12345);
  });

  it('refuse a forged tag, another id with a real tag, another domain and other addresses', () => {
    const path = verpReturnPath(settings, 12345);
    const tag = path.split('.')[1]?.split('@')[0] ?? '';
    expect(parseVerp(settings, `bounces+12345.${'0'.repeat(20)}@bounces.tgg.test`)).toBeNull();
    expect(parseVerp(settings, `bounces+12346.${tag}@bounces.tgg.test`)).toBeNull();
    expect(parseVerp(settings, path.replace('bounces.tgg.test', 'evil.test'))).toBeNull();
    expect(parseVerp(settings, 'postmaster@bounces.tgg.test')).toBeNull();
    expect(parseVerp({ ...settings, secretKey: 'another-secret-key-of-32-characters!!' }, path)).toBeNull();
  });
});
