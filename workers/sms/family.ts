// The SMS family, the worked example every family copies: bulk SMS batches, delivery
// receipts, status callbacks and opt-outs, through the outbox, SMPP or a JSON gateway.
import { smsContract } from '../../queues/sms.js';
import { defineFamily } from '../core/family.js';
import { smsDueWork } from './due-work.js';
import { NO_SMS_PROVIDER } from './providers/none.js';
import type { SmsProvider } from './providers/provider.js';
import { smsMetrics } from './metrics.js';
import { smsRetention } from './retention.js';
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
  handlers: async () => ({
    'sms.start-batch': (await import('./start-batch.js')).startBatch,
    'sms.send-chunk': (await import('./send-chunk.js')).sendChunk,
    'sms.callback': (await import('./send-callback.js')).sendCallback,
    'sms.apply-receipts': (await import('./apply-receipts.js')).applyReceipts,
  }),
  dueWork: smsDueWork,
  roles: { sms: ['sms', 'sms-reports'] },
  retention: smsRetention,
  metrics: smsMetrics,
  privacy: smsPrivacy,
  resources: {
    // The validation pool serves the web role's intake too; the provider (the SMPP client) only the sms role.
    create: async ({ config, db, queues, logger, metrics }, roles) => {
      sizeValidationPool(config.sms.validationThreads);
      if (!roles.includes('sms')) return { smsProvider: NO_SMS_PROVIDER };
      const { createSmsProvider } = await import('./providers/provider.js');
      return { smsProvider: createSmsProvider(config, { db, queues, logger, metrics }) };
    },
    close: async ({ smsProvider }) => {
      await smsProvider.close();
      await closeValidationPool();
    },
  },
});
