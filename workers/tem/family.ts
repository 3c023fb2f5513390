// Telecom Expense Management: carriers' call details (and, next, their invoices) parsed into
// costs per subscription and cost centre. Its parse jobs run on the `invoices` role; the
// partitions of call_records are made ahead on the scheduler's maintenance queue.
import { temContract } from '../../queues/tem.js';
import { defineFamily } from '../core/family.js';
import { temDueWork } from './due-work.js';
import { temMetrics } from './metrics.js';
import { temRetention } from './retention.js';
import { temPrivacy } from './privacy.js';

export const temFamily = defineFamily({
  name: 'tem',
  contract: temContract,
  handlers: async () => ({
    'tem.parse-upload': (await import('./parse-upload.js')).parseUpload,
    'maintenance.tem-partitions': (await import('./partitions-job.js')).makePartitionsJob,
  }),
  dueWork: temDueWork,
  roles: { invoices: ['invoices'] },
  retention: temRetention,
  metrics: temMetrics,
  privacy: temPrivacy,
});
