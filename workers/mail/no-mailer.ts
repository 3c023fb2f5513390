// The mailer of a process whose roles send no mail (web, scheduler, invoices, privacy): no
// transport is opened there, and nodemailer is not even loaded (workers/mail/family.ts).
import type { Mailer } from './mailer.js';

export const NO_MAILER: Mailer = {
  name: 'none',
  signs: false,
  send: () => Promise.reject(new Error('this process runs no role that sends mail')),
  close: () => Promise.resolve(),
};
