// The public forms as an abuser uses them (adversarial review, 6 December): one host with an IPv6
// /64 has 2^64 addresses, so a limit per address is no limit; and the newsletter form sends mail
// to whatever address it is given, so without a cap per address it mails a stranger without end.
import { describe, expect, it } from 'vitest';
import { SIGNUP_MAILS_PER_ADDRESS_PER_DAY, SIGNUPS_PER_IP_PER_HOUR } from '../api/routes/newsletter-public.js';
import { mailboxOf } from '../workers/newsletter/address.js';
import { identifierHash } from '../workers/privacy/subject.js';
import { REQUESTS_PER_IDENTIFIER_PER_DAY, REQUESTS_PER_IP_PER_HOUR } from '../api/routes/privacy-public.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext({ TRUST_PROXY: '1' });
const web = await ctx.start({ roles: ['web'] });
const url = baseUrl(web);
const call = caller(web);
const org = await newOrganization(call, ctx, 'Kapsalon Zuid');
const listIds = await Promise.all(['Aanbiedingen', 'Nieuws'].map(async (name) => (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name } })).body.id));

// Behind the trusted proxy, each request from the address the test names (X-Forwarded-For).
const post = (path: string, ip: string, body: unknown) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': ip }, body: JSON.stringify(body) });
const signUp = (ip: string, email: string, list = listIds[0]) => post(`/public/lists/${list}/subscribe`, ip, { email, name: 'Bezoek onze site' });
const mailsTo = async (to: string) => (await ctx.db.selectFrom('mail_messages').select('id').where('to_address', '=', to).execute()).length;

describe('limits per client count an IPv6 client by its /64', () => {
  it('the public ceiling: new addresses in the same /64 buy no new requests', async () => {
    const limited = baseUrl(await ctx.start({ roles: ['web'], config: ctx.configWith({ TRUST_PROXY: '1', PUBLIC_RATE_LIMIT: '5' }) }));
    const get = (ip: string) => fetch(`${limited}/public/register`, { headers: { 'x-forwarded-for': ip } });
    for (let i = 1; i <= 5; i++) expect((await get(`2001:db8:5:1::${i}`)).status).toBe(200);
    expect((await get('2001:db8:5:1:ffff:ffff:ffff:ffff')).status).toBe(429);
    expect((await get('2001:db8:5:2::1')).status).toBe(200);
  });

  it(`the newsletter form: ${SIGNUPS_PER_IP_PER_HOUR} sign-ups an hour from one /64`, async () => {
    for (let i = 1; i <= SIGNUPS_PER_IP_PER_HOUR; i++) expect((await signUp(`2001:db8:6:1::${i}`, `lid${i}@voorbeeld.nl`)).status).toBe(202);
    expect((await signUp('2001:db8:6:1:abcd::1', 'nog-een@voorbeeld.nl')).status).toBe(429);
    expect((await signUp('2001:db8:6:2::1', 'nog-een@voorbeeld.nl')).status).toBe(202);
  });

  it(`the privacy request form: ${REQUESTS_PER_IP_PER_HOUR} filings an hour from one /64`, async () => {
    const file = (ip: string, i: number) => post('/public/privacy-requests', ip, { type: 'access', email: `persoon${i}@voorbeeld.nl` });
    for (let i = 1; i <= REQUESTS_PER_IP_PER_HOUR; i++) expect((await file(`2001:db8:7:1::${i}`, i)).status).toBe(202);
    expect((await file('2001:db8:7:1::beef', 99)).status).toBe(429);
    expect((await file('2001:db8:7:2::1', 100)).status).toBe(202);
  });
});

describe('the privacy request form and a stranger', () => {
  it(`files at most ${REQUESTS_PER_IDENTIFIER_PER_DAY} requests a day for one mailbox, its +tag variants too`, async () => {
    const answers: number[] = [];
    for (let i = 0; i <= REQUESTS_PER_IDENTIFIER_PER_DAY; i++) answers.push((await post('/public/privacy-requests', `198.51.100.${100 + i}`, { type: 'access', email: `slachtoffer+${i}@voorbeeld.nl` })).status);
    expect(answers).toEqual([...Array<number>(REQUESTS_PER_IDENTIFIER_PER_DAY).fill(202), 429]);
  });
});

describe('the newsletter form and a stranger', () => {
  it(`sends one address at most ${SIGNUP_MAILS_PER_ADDRESS_PER_DAY} confirmation mails a day, from any client and list, and answers the same past it`, async () => {
    const victim = 'doelwit@voorbeeld.nl';
    const answers: number[] = [];
    for (let i = 1; i <= SIGNUP_MAILS_PER_ADDRESS_PER_DAY + 4; i++) answers.push((await signUp(`198.51.100.${i}`, victim, listIds[i % 2])).status);
    expect(answers).toEqual(Array<number>(SIGNUP_MAILS_PER_ADDRESS_PER_DAY + 4).fill(202));
    expect(await mailsTo(victim)).toBe(SIGNUP_MAILS_PER_ADDRESS_PER_DAY);
    // Another address is not held back by it.
    expect((await signUp('198.51.100.50', 'iemand-anders@voorbeeld.nl')).status).toBe(202);
    expect(await mailsTo('iemand-anders@voorbeeld.nl')).toBe(1);
    expect(await ctx.redisDump()).not.toContain(victim);
  });

  it('counts variants of one mailbox (a +tag, Gmail\'s dots) as that mailbox', async () => {
    const variants = ['buur@voorbeeld.nl', 'buur+1@voorbeeld.nl', 'buur+nieuws@voorbeeld.nl', 'Buur+x@Voorbeeld.nl', 'buur+2@voorbeeld.nl', 'buur+3@voorbeeld.nl', 'buur+4@voorbeeld.nl'];
    for (const [i, email] of variants.entries()) expect((await signUp(`192.0.2.${i + 1}`, email)).status).toBe(202);
    const mails = await ctx.db.selectFrom('mail_messages').select('id').where('to_address', 'like', 'buur%@voorbeeld.nl').execute();
    expect(mails.length).toBe(SIGNUP_MAILS_PER_ADDRESS_PER_DAY);
    expect(mailboxOf('j.an.sen+x@googlemail.com')).toBe(mailboxOf('jansen@gmail.com'));
    expect(mailboxOf('j.ansen@voorbeeld.nl')).not.toBe(mailboxOf('jansen@voorbeeld.nl'));
    expect(mailboxOf('+31612345678@sms.voorbeeld.nl')).not.toBe(mailboxOf('+31687654321@sms.voorbeeld.nl'));
  });

  it('mails nothing to an address a privacy restriction holds (art. 18: stored only), with the same answer', async () => {
    const held = 'beperkt@voorbeeld.nl';
    await ctx.db.insertInto('privacy_restrictions').values({ identifier_hash: identifierHash(ctx.config.suppressionKey, 'email', held), request_id: null }).execute();
    expect((await signUp('192.0.2.200', held)).status).toBe(202);
    expect(await mailsTo(held)).toBe(0);
    expect(await ctx.db.selectFrom('newsletter_signups').select('id').where('email', '=', held).execute()).toEqual([]);
  });

  it('a sign-up that sends nothing (the address is subscribed already) does not use the allowance', async () => {
    const member = 'al-lid@voorbeeld.nl';
    await call('post', `/v1/lists/${listIds[1]}/subscribers`, { auth: org.key, body: { basis: 'consent', subscribers: [{ email: member }] } });
    for (let i = 1; i <= SIGNUP_MAILS_PER_ADDRESS_PER_DAY + 2; i++) expect((await signUp(`203.0.113.${i}`, member, listIds[1])).status).toBe(202);
    expect(await mailsTo(member)).toBe(0);
    expect((await signUp('203.0.113.77', member, listIds[0])).status).toBe(202);
    expect(await mailsTo(member)).toBe(1);
  });
});
