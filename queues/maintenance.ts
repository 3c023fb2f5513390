// The platform's own jobs, run by the scheduler role.
import { z } from 'zod';
import { defineContract, defineJob } from './job.js';

export const maintenanceContract = defineContract({
  family: 'maintenance',
  queues: ['maintenance'],
  jobs: {
    /** The nightly retention purge: every category of the retention policy, in bounded batches. */
    'maintenance.retention-purge': defineJob({
      queue: 'maintenance',
      payload: z.strictObject({}),
      attempts: 3,
      schedule: { id: 'retention-purge', pattern: '0 3 * * *', tz: 'Europe/Amsterdam' },
    }),
  },
});
