// The SMS family, the worked example every family copies: bulk SMS batches, delivery
// receipts, status callbacks and opt-outs, through the outbox, SMPP or a JSON gateway.
import { smsContract } from '../../queues/sms.js';
import { defineFamily } from '../core/family.js';
import { applyReceipts } from './apply-receipts.js';
import { smsDueWork } from './due-work.js';
import { NO_SMS_PROVIDER, createSmsProvider, type SmsProvider } from './providers/provider.js';
import { smsMetrics } from './metrics.js';
import { smsRetention } from './retention.js';
import { sendCallback } from './send-callback.js';
import { sendChunk } from './send-chunk.js';
import { startBatch } from './start-batch.js';
import { closeValidationPool, sizeValidationPool } from './validation-pool.js';
import { smsPrivacy } from './privacy.js';

declare module '../core/deps.js' {
  interface Deps {
    /** NO_SMS_PROVIDER in processes without the sms role: no SMSC session is opened there. */
    readonly smsProvider: SmsProvider;
  }
}

export const smsFamily = defineFamily({
  name: 'sms',
  contract: smsContract,
  handlers: {
    'sms.start-batch': startBatch,
    'sms.send-chunk': sendChunk,
    'sms.callback': sendCallback,
    'sms.apply-receipts': applyReceipts,
  },
  dueWork: smsDueWork,
  roles: { sms: ['sms', 'sms-reports'] },
  retention: smsRetention,
  metrics: smsMetrics,
  privacy: smsPrivacy,
  resources: {
    create: ({ config, db, queues, logger, metrics }, roles) => {
      sizeValidationPool(config.sms.validationThreads);
      return { smsProvider: roles.includes('sms') ? createSmsProvider(config, { db, queues, logger, metrics }) : NO_SMS_PROVIDER };
    },
    close: async ({ smsProvider }) => {
      await smsProvider.close();
      await closeValidationPool();
    },
  },
});
