// Issue 16, all-in-one intake: a chunk already sending when a batch starts arriving in the same
// process waits between its windows until the intake is answered (or its turn comes: one
// waiter every 2 s), so sending does not take the event loop and the connections from the request.
// Nothing is claimed while it waits: every message is sent exactly once.
import type { Job } from 'bullmq';
import { expect, it } from 'vitest';
import { beginIntake } from '../workers/core/intake-gate.js';
import type { OutgoingSms, SmsProvider, SubmitResult } from '../workers/sms/providers/provider.js';
import { sendChunk } from '../workers/sms/send-chunk.js';
import { createTestContext } from './helpers/context.js';
import { caller, newOrganization } from './helpers/identity.js';
import { batches, mobile } from './helpers/sms.js';

const ctx = await createTestContext();
// The web role only: the batch stays queued for the chunk run below.
const runtime = await ctx.start({ roles: ['web'] });
const call = caller(runtime);
const org = await newOrganization(call, ctx, 'Voorrang BV');

const WINDOW = 10;
const GATE_MS = 2_000;
const PAUSE_MS = 600;

it('holds a running chunk between windows while an intake runs, and sends each message once', async () => {
  const batchId = await batches(call, () => org.key).submit('TGG', 'Beste klant', Array.from({ length: 3 * WINDOW }, (_, i) => ({ phone: mobile(i) })));
  const submitted: { at: number; ids: number[] }[] = [];
  let intake: { heldAt: number; endedAt: number } | undefined;
  const provider: SmsProvider = {
    name: 'fake',
    windowSize: WINDOW,
    ready: () => Promise.resolve(true),
    async submit(window: readonly OutgoingSms[], record) {
      submitted.push({ at: performance.now(), ids: window.map((m) => m.messageId) });
      if (submitted.length === 1) {
        // A bulk request starts arriving while the first window is out; it is answered later.
        const end = beginIntake();
        const held = { heldAt: performance.now(), endedAt: Number.POSITIVE_INFINITY };
        intake = held;
        setTimeout(() => {
          held.endedAt = performance.now();
          end();
        }, PAUSE_MS);
      }
      const results: SubmitResult[] = window.map((m) => ({ messageId: m.messageId, status: 'sent', providerMessageId: `p-${m.messageId}`, parts: [] }));
      await record(results);
      return results;
    },
    close: () => Promise.resolve(),
  };
  const job = { updateProgress: () => Promise.resolve() } as unknown as Job;
  const result = await sendChunk({ batchId, chunk: 0 }, { deps: { ...runtime.deps, smsProvider: provider }, job, log: runtime.deps.logger, signal: new AbortController().signal });

  expect(result).toEqual({ sent: 3 * WINDOW, failed: 0 });
  expect(submitted).toHaveLength(3);
  const held = intake ?? { heldAt: 0, endedAt: 0 };
  // The second window went once the intake ended, or once the gate's cap ran out: never during it.
  expect(submitted[1]?.at ?? 0).toBeGreaterThanOrEqual(Math.min(held.endedAt, held.heldAt + GATE_MS));
  const ids = submitted.flatMap((s) => s.ids);
  expect(new Set(ids).size).toBe(3 * WINDOW);
  const statuses = await runtime.deps.db.selectFrom('sms_messages').select('status').distinct().where('batch_id', '=', batchId).execute();
  expect(statuses).toEqual([{ status: 'sent' }]);
});
