// Telecom Expense Management (carriers' invoices and call details): its queue, served by the
// `invoices` role; its jobs are added here as the family is built.
import { defineContract } from './job.js';

export const temContract = defineContract({
  family: 'tem',
  queues: ['invoices'],
  jobs: {},
});
