// A scheduled time is bounded (adversarial review, 8 December): a campaign's sendAt had no upper
// bound, so a typo (the year 9999 for 2026) scheduled a job for ever, its delay far beyond what a
// timer or BullMQ's delayed set holds. Refused with 400 naming the field; nothing stored.
import { describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, fieldsOf, newOrganization } from './helpers/identity.js';

const ctx = await createTestContext();
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Tikfout BV');
const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Nieuws' } })).body;
const DAY = 86_400_000;
const ahead = (days: number) => new Date(Date.now() + days * DAY).toISOString();

describe('a campaign sendAt', () => {
  it.each([
    ['the year 9999', '9999-12-31T09:00:00Z'],
    ['two years ahead', ahead(730)],
    ['a year and a day ahead', ahead(367)],
  ])('is refused %s, naming the field, and no campaign is stored', async (_why, sendAt) => {
    const answer = await call('post', '/v1/campaigns', { auth: org.key, body: { listId: list.id, subject: 'Nieuws', html: '<p>Hallo</p>', sendAt } });
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.sendAt']);
    expect(await ctx.db.selectFrom('newsletter_campaigns').select('id').where('organization_id', '=', org.id).execute()).toEqual([]);
  });

  it('is taken up to a year ahead', async () => {
    const answer = await call<{ status: string }>('post', '/v1/campaigns', { auth: org.key, body: { listId: list.id, subject: 'Nieuws', html: '<p>Hallo</p>', sendAt: ahead(364) } });
    expect(answer.status).toBe(202);
    expect(answer.body.status).toBe('scheduled');
  });
});

describe('an SMS batch sendAt', () => {
  it.each([['the year 9999', '9999-12-31T09:00:00Z'], ['the year 20260', '20260-12-31T09:00:00Z'], ['31 days ahead', ahead(31)]])('is refused %s, naming the field', async (_why, sendAt) => {
    const answer = await call('post', '/v1/sms/batches', { auth: org.key, body: { sender: 'Tikfout', body: 'Hallo', sendAt, recipients: [{ phone: '0612345678' }] } });
    expect(answer.status).toBe(400);
    expect(fieldsOf(answer)).toEqual(['body.sendAt']);
  });
});
