// A whole-queue action (the dashboard's empty, clean, ...) opens its own long-bound Redis
// connection on first use; once the queue set is closed (the process stopping) it must not open
// one again, which would keep the process alive with a connection nobody closes.
import { expect, it } from 'vitest';
import { QueueSet, QueueUnavailableError } from '../queues/queue-set.js';
import { REDIS_URL } from './helpers/env.js';

it('refuses a whole-queue action after close instead of opening a connection again', async () => {
  const queues = new QueueSet({ redisUrl: REDIS_URL, prefix: `test-closed-${process.pid}`, commandTimeoutMs: 5_000 });
  expect(queues.forWholeQueue('sms').name).toBe('sms');
  await queues.close();
  expect(() => queues.forWholeQueue('sms')).toThrow(QueueUnavailableError);
});
