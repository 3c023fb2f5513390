// What a running process holds: the dependencies every handler, route and timer receives.
import type { Db } from '../../db/database.js';
import type { QueueSet } from '../../queues/queue-set.js';
import type { Mailer } from '../mail/mailer.js';
import type { SmsProvider } from '../sms/providers/provider.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly queues: QueueSet;
  readonly mailer: Mailer;
  readonly smsProvider: SmsProvider;
  readonly logger: Logger;
  readonly metrics: Metrics;
}
