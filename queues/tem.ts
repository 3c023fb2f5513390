// Telecom Expense Management (carriers' invoices and call details): its queue, served by the
// `invoices` role, and its jobs. Partitions are made on the scheduler's maintenance queue.
import { z } from 'zod';
import { defineContract, defineJob } from './job.js';

export const temContract = defineContract({
  family: 'tem',
  queues: ['invoices', 'maintenance'],
  jobs: {
    /** Parse one upload into call records and period charges, in one transaction. */
    'tem.parse-upload': defineJob({
      queue: 'invoices',
      payload: z.strictObject({ uploadId: z.uuid() }),
      jobId: (p) => `tem-parse-${p.uploadId}`,
      attempts: 5,
    }),
    /** Make the monthly partitions of call_records ahead of time (nightly, and before each parse). */
    'maintenance.tem-partitions': defineJob({
      queue: 'maintenance',
      payload: z.strictObject({}),
      attempts: 3,
      schedule: { id: 'tem-partitions', pattern: '30 2 * * *', tz: 'Europe/Amsterdam' },
    }),
  },
});
