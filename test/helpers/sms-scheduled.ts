// A scheduled SMS batch (stored whole, not yet sent) made due, so a test can change what the
// send path finds (an opt-out, a restriction) between the intake and the send.
import { sql } from 'kysely';
import { afterAll } from 'vitest';
import { createTestContext, waitFor, type TestContext } from './context.js';
import { startSmsc } from './smsc.js';

/** A test SMSC, a test database and web and sms roles sending to the SMSC by SMPP, stopped after the file's tests. */
export async function smppPlatform() {
  const smsc = await startSmsc();
  const ctx = await createTestContext();
  const runtime = await ctx.start({ roles: ['web', 'sms'], config: ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMPP_RESPONSE_TIMEOUT_MS: '3000' }) });
  afterAll(async () => {
    await runtime.stop();
    await smsc.close();
  });
  return { smsc, ctx, runtime };
}

/** Makes the batch due and lets a scheduler start it; the statuses by number (or address) once none is queued or sending. */
export async function sentNow(ctx: TestContext, batchId: string): Promise<Record<string, string>> {
  await ctx.db.updateTable('sms_batches').set({ send_at: sql<Date>`now() - interval '1 second'` }).where('id', '=', batchId).execute();
  const scheduler = await ctx.start({ roles: ['scheduler'], config: ctx.configWith({ RECONCILE_INTERVAL_MS: '100' }) });
  try {
    return await waitFor(async () => {
      const rows = await ctx.db.selectFrom('sms_messages').select(['phone', 'email', 'status']).where('batch_id', '=', batchId).execute();
      if (rows.some((r) => r.status === 'queued' || r.status === 'sending')) return undefined;
      return Object.fromEntries(rows.map((r) => [r.phone ?? r.email ?? '', r.status]));
    }, 'the scheduled batch sent', 20_000);
  } finally {
    await scheduler.stop();
  }
}
