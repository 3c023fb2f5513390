// Telecom Expense Management: carriers' invoices and call details. Its queue is served by the
// `invoices` role; its jobs, handlers, due work and retention are added here as it is built.
import { temContract } from '../../queues/tem.js';
import { defineFamily } from '../core/family.js';

export const temFamily = defineFamily({
  name: 'tem',
  contract: temContract,
  handlers: {},
  roles: { invoices: ['invoices'] },
});
