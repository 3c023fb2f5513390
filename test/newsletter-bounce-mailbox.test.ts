// The bounce mailbox reader (issue 14) against a real IMAP server on loopback (Dovecot, see
// test/helpers/imap.ts): RFC 3464 DSNs (5.x.x hard, 4.x.x soft, a delay warning no bounce)
// and an RFC 5965 complaint tied to deliveries by VERP are applied and flagged \Seen; an
// out-of-office reply, a DSN with a forged VERP tag and someone's ordinary mail stay unread,
// unflagged, in place, and are not read again on the next run.
import { afterAll, describe, expect, it } from 'vitest';
import { readBounces } from '../workers/newsletter/bounce-reader.js';
import { isSuppressed } from '../workers/newsletter/suppression.js';
import { verpReturnPath } from '../workers/newsletter/verp.js';
import { createTestContext } from './helpers/context.js';
import { startImap } from './helpers/imap.js';
import { caller, newOrganization } from './helpers/identity.js';
import { sentCampaign } from './helpers/newsletter.js';

const ctx = await createTestContext({ BOUNCE_DOMAIN: 'bounces.tgg.test' });
const imap = await startImap();
afterAll(() => imap.close());
const web = await ctx.start({ roles: ['web'] });
const org = await newOrganization(caller(web), ctx, 'Postvak BV');
const key = ctx.config.suppressionKey;
const verp = { secretKey: ctx.config.secretKey, bounceDomain: 'bounces.tgg.test' };
const settings = { ...verp, imapUrl: imap.url, suppressionKey: key };

function dsn(returnPath: string, action: string, status: string): string {
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.voorbeeld.nl>',
    `To: ${returnPath}`,
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'I could not deliver your message.',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.voorbeeld.nl',
    '',
    'Final-Recipient: rfc822; iemand@voorbeeld.nl',
    `Action: ${action}`,
    `Status: ${status}`,
    'Diagnostic-Code: smtp; 550 no such user',
    '',
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    `Return-Path: <${returnPath}>`,
    'Subject: Nieuws',
    '--B--',
    '',
  ].join('\r\n');
}

function arf(returnPath: string): string {
  return [
    'From: feedback@isp.example',
    'To: fbl@tgg.test',
    'Subject: Abuse report',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
    '',
    '--F',
    'Content-Type: text/plain',
    '',
    'This is an abuse report.',
    '--F',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: ISP-FBL/1.0',
    'Version: 1',
    '',
    '--F',
    'Content-Type: message/rfc822',
    '',
    `Return-Path: <${returnPath}>`,
    'From: TGG <nieuws@tgg.test>',
    'Subject: Nieuws',
    '',
    'Hallo',
    '--F--',
    '',
  ].join('\r\n');
}

const plain = (headers: string[], body: string) => [...headers, '', body, ''].join('\r\n');

async function append(raw: string): Promise<void> {
  const client = imap.client();
  await client.connect();
  await client.append('INBOX', raw, []);
  await client.logout();
}

async function mailbox(): Promise<{ subject: string; flags: string[] }[]> {
  const client = imap.client();
  await client.connect();
  const lock = await client.getMailboxLock('INBOX');
  const all = [];
  try {
    for await (const m of client.fetch('1:*', { envelope: true, flags: true })) all.push({ subject: m.envelope?.subject ?? '', flags: [...(m.flags ?? [])] });
  } finally {
    lock.release();
    await client.logout();
  }
  return all;
}

const deliveryOf = (id: number) => ctx.db.selectFrom('newsletter_deliveries').select(['status', 'error_code']).where('id', '=', id).executeTakeFirstOrThrow();

describe('the bounce mailbox', () => {
  it('applies the reports tied to our deliveries, and leaves everything else unread', async () => {
    const { deliveries } = await sentCampaign(ctx.db, key, org.id, ['hard@voorbeeld.nl', 'zacht@voorbeeld.nl', 'later@voorbeeld.nl', 'klager@voorbeeld.nl', 'afwezig@voorbeeld.nl']);
    const [hard, soft, delayed, complaint, away] = deliveries.map((d) => ({ ...d, verp: verpReturnPath(verp, d.id) }));
    const forged = verpReturnPath(verp, hard!.id).replace(/\.([0-9a-f])/, (_m, c: string) => `.${c === '0' ? '1' : '0'}`);
    await append(dsn(hard!.verp, 'failed', '5.1.1'));
    await append(dsn(soft!.verp, 'failed', '4.2.2'));
    await append(dsn(delayed!.verp, 'delayed', '4.4.7').replace('Undelivered Mail Returned to Sender', 'Delayed Mail (still being retried)'));
    await append(arf(complaint!.verp));
    await append(plain([`To: ${away!.verp}`, 'From: afwezig@voorbeeld.nl', 'Subject: Automatisch antwoord: Nieuws', 'Auto-Submitted: auto-replied'], 'Ik ben afwezig tot maandag. Mail returned: 550 5.1.1 (just words).'));
    await append(dsn(forged, 'failed', '5.1.1').replace('Undelivered Mail Returned to Sender', 'Forged bounce'));
    await append(plain(['To: bounces@tgg.test', 'From: collega@tgg.test', 'Subject: Koffie?'], 'Zin in koffie?'));

    const run = await readBounces(ctx.db, settings);
    expect(run).toEqual({ read: 7, applied: 3, left: 0 });
    expect(await deliveryOf(hard!.id)).toEqual({ status: 'bounced', error_code: 'bounce-hard' });
    expect(await deliveryOf(soft!.id)).toEqual({ status: 'bounced', error_code: 'bounce-soft' });
    expect(await deliveryOf(delayed!.id)).toEqual({ status: 'sent', error_code: null });
    expect(await deliveryOf(complaint!.id)).toEqual({ status: 'bounced', error_code: 'complaint' });
    expect(await deliveryOf(away!.id)).toEqual({ status: 'sent', error_code: null });
    expect(await isSuppressed(ctx.db, key, org.id, 'hard@voorbeeld.nl')).toBe(true);
    expect(await isSuppressed(ctx.db, key, org.id, 'klager@voorbeeld.nl')).toBe(true);
    expect(await isSuppressed(ctx.db, key, org.id, 'zacht@voorbeeld.nl')).toBe(false);
    expect(await isSuppressed(ctx.db, key, org.id, 'afwezig@voorbeeld.nl')).toBe(false);

    const after = await mailbox();
    expect(after).toHaveLength(7);
    const flags = Object.fromEntries(after.map((m) => [m.subject, m.flags]));
    expect(flags).toEqual({
      'Undelivered Mail Returned to Sender': ['\\Seen'],
      'Delayed Mail (still being retried)': ['\\Seen'],
      'Abuse report': ['\\Seen'],
      'Automatisch antwoord: Nieuws': [],
      'Forged bounce': [],
      'Koffie?': [],
    });
    expect(after.filter((m) => m.subject === 'Undelivered Mail Returned to Sender').map((m) => m.flags)).toEqual([['\\Seen'], ['\\Seen']]);

    // The next run reads only what arrived since.
    expect(await readBounces(ctx.db, settings)).toEqual({ read: 0, applied: 0, left: 0 });
    const { deliveries: [late] } = await sentCampaign(ctx.db, key, org.id, ['nieuw@voorbeeld.nl']);
    await append(dsn(verpReturnPath(verp, late!.id), 'failed', '5.7.1'));
    expect(await readBounces(ctx.db, settings)).toEqual({ read: 1, applied: 1, left: 0 });
    expect(await isSuppressed(ctx.db, key, org.id, 'nieuw@voorbeeld.nl')).toBe(true);
  });
});
