// What a running process holds: the dependencies every handler, route and timer receives.
// The core is here; each family adds its own (the mailer, the SMS provider) with
// `declare module '../core/deps.js' { interface Deps { ... } }` in its family.ts, and builds
// them in its `resources` (workers/core/family.ts).
import type { Db } from '../../db/database.js';
import type { QueueSet } from '../../queues/queue-set.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';

export interface Deps {
  readonly config: Config;
  readonly db: Db;
  readonly queues: QueueSet;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export type CoreDeps = Pick<Deps, 'config' | 'db' | 'queues' | 'logger' | 'metrics'>;
