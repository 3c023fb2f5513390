// The mail family: transactional mail through one transport (SMTP or the local outbox).
import { mailContract } from '../../queues/mail.js';
import { readBouncesJob } from '../newsletter/read-bounces-job.js';
import { defineFamily } from '../core/family.js';
import { mailDueWork } from './due-work.js';
import { mailMetrics } from './metrics.js';
import { createMailer, type Mailer } from './mailer.js';
import { mailRetention } from './retention.js';
import { sendMail } from './send-mail.js';
import { mailPrivacy } from './privacy.js';

declare module '../core/deps.js' {
  interface Deps {
    readonly mailer: Mailer;
  }
}

export const mailFamily = defineFamily({
  name: 'mail',
  contract: mailContract,
  handlers: {
    'mail.send': sendMail,
    'mail.read-bounces': readBouncesJob,
  },
  dueWork: mailDueWork,
  roles: { mail: ['mail'] },
  retention: mailRetention,
  metrics: mailMetrics,
  privacy: mailPrivacy,
  resources: {
    create: ({ config, db }) => ({ mailer: createMailer(config, db) }),
    close: ({ mailer }) => mailer.close(),
  },
});
