// Issue 16 (audit 16.23): one post to the HTTP gateway's hook costs a bounded number of
// statements, however many messages it carries: plain replies, STOP words (with their
// confirmations), parts of long messages and delivery reports. Counted on a web-only runtime,
// so no worker's statements are counted with the post's.
import { afterAll, describe, expect, it } from 'vitest';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';
import { postToHook } from './helpers/sms-hook.js';
import { statementsDuring } from './helpers/statements.js';

const SECRET = 'test-gateway-hook-secret-statements-0123';
const ctx = await createTestContext();
const runtime = await ctx.start({
  roles: ['web'],
  config: ctx.configWith({ SMS_PROVIDER: 'http', SMS_HTTP_URL: 'http://127.0.0.1:9/', SMS_HTTP_SECRET: SECRET }),
});
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Gemeente Telrijk');
const other = await newOrganization(call, ctx, 'Kapsalon Tel');
await ctx.db.insertInto('sms_keywords').values({ keyword: 'KAPSALON', organization_id: other.id }).execute();

afterAll(async () => {
  await runtime.stop();
});

async function hook(body: unknown): Promise<number> {
  return (await postToHook(runtime, SECRET, body)).status;
}

type Incoming = { from: string; text: string; concat?: { ref: number; total: number; seq: number } };

/**
 * A post of `size` messages (size a multiple of 10) to numbers from `base`: per 10, five plain
 * replies, a STOP, a STOP twice from one number, a STOP with a keyword, one reply from a number
 * nobody texted; then parts of two long messages (one completed in this post, in reverse order
 * and with a duplicate part, one waiting for its last part) and two reports nobody knows.
 */
function post(base: number, size: number): { incoming: Incoming[]; reports: Array<{ id: string; status: string }> } {
  const incoming: Incoming[] = [];
  for (let i = 0; i < size / 10; i += 1) {
    const n = (k: number) => mobile(base + i * 10 + k);
    for (let k = 0; k < 5; k += 1) incoming.push({ from: n(k), text: `Antwoord ${k}` });
    incoming.push({ from: n(5), text: 'STOP' }, { from: n(6), text: 'stop' }, { from: n(6), text: 'Stoppen' }, { from: n(7), text: 'STOP KAPSALON' });
    incoming.push({ from: mobile(base + 9_000 + i), text: 'Wie is dit?' });
  }
  const long = mobile(base + 8_000);
  incoming.push(
    { from: long, text: 'daar', concat: { ref: 7, total: 2, seq: 2 } },
    { from: long, text: 'Hallo ', concat: { ref: 7, total: 2, seq: 1 } },
    { from: long, text: 'Hallo ', concat: { ref: 7, total: 2, seq: 1 } },
    { from: long, text: 'een ', concat: { ref: 8, total: 3, seq: 1 } },
    { from: long, text: 'twee ', concat: { ref: 8, total: 3, seq: 2 } },
  );
  return { incoming, reports: [{ id: `unknown-${base}-a`, status: 'DELIVRD' }, { id: `unknown-${base}-b`, status: 'UNDELIV' }] };
}

async function texted(base: number, size: number): Promise<void> {
  const phones = Array.from({ length: size }, (_, k) => ({ phone: mobile(base + k) })).concat([{ phone: mobile(base + 8_000) }]);
  await batches(call, () => org.key).submit('Gemeente', 'Hoe was uw bezoek?', phones);
  await batches(call, () => other.key).submit('Kapsalon', 'Tot morgen', phones.slice(0, 20));
}

describe('one post to the HTTP hook', () => {
  it('costs the same statements for 50 messages as for 10, and keeps every outcome', async () => {
    await texted(100_000, 10);
    await texted(200_000, 50);
    const small = await statementsDuring(() => hook(post(100_000, 10)));
    const big = await statementsDuring(() => hook(post(200_000, 50)));
    console.log(`statements a post: ${small.statements} for ${post(0, 10).incoming.length + 2} items, ${big.statements} for ${post(0, 50).incoming.length + 2}`);
    expect([small.result, big.result]).toEqual([204, 204]);
    expect(big.statements).toBe(small.statements);
    expect(big.statements).toBeLessThanOrEqual(30);

    const replies = await ctx.db.selectFrom('sms_replies').select(['phone', 'text', 'organization_id']).orderBy('id').execute();
    const bigReplies = replies.filter((r) => (r.phone ?? '') >= mobile(200_000));
    expect(bigReplies.filter((r) => r.text?.startsWith('Antwoord'))).toHaveLength(25);
    // The long message, put together in order, for the organisation that texted it last.
    expect(replies.filter((r) => r.phone === mobile(208_000)).map((r) => [r.text, r.organization_id])).toEqual([['Hallo daar', org.id]]);
    // A reply goes to the organisation that texted the number last: the other one for the first 20.
    expect(bigReplies.filter((r) => r.organization_id === other.id && r.text?.startsWith('Antwoord'))).toHaveLength(10);

    const optOuts = await ctx.db.selectFrom('sms_opt_outs').select(['organization_id', 'masked']).where('source', '=', 'reply').execute();
    const of = (id: string) => optOuts.filter((o) => o.organization_id === id).length;
    // 5 plain STOP numbers a post of 50, each for both organisations when both texted it (the
    // first 20), plus 5 STOP KAPSALON for the keyword's organisation alone.
    expect(of(org.id)).toBe(2 * 1 + 2 * 5);
    expect(of(other.id)).toBe(2 + 1 + (2 * 2) + 5);
    const confirmations = await ctx.db.selectFrom('sms_batches as b').innerJoin('sms_messages as m', 'm.batch_id', 'b.id').select(['m.phone', 'b.organization_id']).where('b.purpose', '=', 'opt-out-confirmation').execute();
    // One a number (the STOP twice from one number confirmed once); STOP KAPSALON only where
    // the keyword's organisation texted the number (its sender is needed).
    expect(confirmations.length).toBe(new Set(confirmations.map((c) => c.phone)).size);
    expect(confirmations.length).toBe(3 + 2 * 5 + 2);

    // The last part, in another post; a duplicate of a part already used adds nothing.
    expect(await hook({ incoming: [{ from: mobile(208_000), text: 'drie', concat: { ref: 8, total: 3, seq: 3 } }] })).toBe(204);
    expect(await hook({ incoming: [{ from: mobile(208_000), text: 'daar', concat: { ref: 7, total: 2, seq: 2 } }] })).toBe(204);
    const long = await ctx.db.selectFrom('sms_replies').select('text').where('phone', '=', mobile(208_000)).orderBy('id').execute();
    expect(long.map((r) => r.text)).toEqual(['Hallo daar', 'een twee drie']);
  });
});
