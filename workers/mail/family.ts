// The mail family: transactional mail through one transport (SMTP or the local outbox).
import { mailContract } from '../../queues/mail.js';
import type { Role } from '../roles.js';
import { defineFamily } from '../core/family.js';
import { mailDueWork } from './due-work.js';
import { mailMetrics } from './metrics.js';
import type { Mailer } from './mailer.js';
import { NO_MAILER } from './no-mailer.js';
import { mailRetention } from './retention.js';
import { mailPrivacy } from './privacy.js';

/** The roles whose jobs send mail: mail.send and campaigns (mail), e-mail-only SMS recipients (sms). */
const SENDING_ROLES: readonly Role[] = ['mail', 'sms'];

declare module '../core/deps.js' {
  interface Deps {
    readonly mailer: Mailer;
  }
}

export const mailFamily = defineFamily({
  name: 'mail',
  contract: mailContract,
  handlers: async () => ({
    'mail.send': (await import('./send-mail.js')).sendMail,
    'mail.read-bounces': (await import('../newsletter/read-bounces-job.js')).readBouncesJob,
  }),
  dueWork: mailDueWork,
  roles: { mail: ['mail'] },
  retention: mailRetention,
  metrics: mailMetrics,
  privacy: mailPrivacy,
  resources: {
    // nodemailer (and the pooled SMTP transport) only where a job sends mail.
    create: async ({ config, db }, roles) => {
      if (!roles.some((role) => SENDING_ROLES.includes(role))) return { mailer: NO_MAILER };
      const { createMailer } = await import('./mailer.js');
      return { mailer: createMailer(config, db) };
    },
    close: ({ mailer }) => mailer.close(),
  },
});
