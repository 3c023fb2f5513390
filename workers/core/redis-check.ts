import type { RedisClient } from '../../queues/connection.js';
import type { Logger } from './logger.js';

/** BullMQ loses jobs silently if Redis may evict keys: say so loudly at start. */
export async function warnUnlessNoEviction(redis: RedisClient, logger: Logger): Promise<void> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    const policy = reply[1];
    if (policy !== undefined && policy !== 'noeviction') {
      logger.warn({ policy }, `Redis maxmemory-policy is "${policy}": set it to "noeviction", or Redis may evict queued jobs`);
    }
  } catch {
    logger.warn('could not read Redis maxmemory-policy (CONFIG may be disabled): make sure it is "noeviction"');
  }
}
