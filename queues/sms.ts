// The SMS family's jobs.
import { z } from 'zod';
import { defineContract, defineJob } from './job.js';

export const smsContract = defineContract({
  family: 'sms',
  queues: ['sms', 'sms-reports'],
  jobs: {
    /** A scheduled SMS batch whose send_at has come: queue it and fan out its chunks. */
    'sms.start-batch': defineJob({
      queue: 'sms',
      payload: z.strictObject({ batchId: z.uuid() }),
      jobId: (p) => `sms-start-${p.batchId}`,
    }),
    /** One chunk of a batch (a range of its messages); priority by chunk number keeps small batches fast. */
    'sms.send-chunk': defineJob({
      queue: 'sms',
      payload: z.strictObject({ batchId: z.uuid(), chunk: z.number().int().min(0) }),
      jobId: (p) => `sms-${p.batchId}-${p.chunk}`,
      attempts: 10,
    }),
    /** One signed status callback to the organisation's callbackUrl. */
    'sms.callback': defineJob({
      queue: 'sms-reports',
      payload: z.strictObject({ callbackId: z.number().int().positive() }),
      jobId: (p) => `sms-callback-${p.callbackId}`,
      attempts: 12,
    }),
    /** Apply the delivery receipts stored since the last run (one job per second at most). */
    'sms.apply-receipts': defineJob({
      queue: 'sms-reports',
      payload: z.strictObject({ bucket: z.number().int().min(0) }),
      jobId: (p) => `sms-receipts-${p.bucket}`,
    }),
  },
});
