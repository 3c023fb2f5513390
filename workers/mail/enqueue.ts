// After commit: enqueue the mail.send jobs of rows just written. If Redis is away the rows
// stay 'queued' and the reconciler enqueues them later, so the caller never fails for it.
import type { QueueSet } from '../../queues/queue-set.js';
import type { Logger } from '../core/logger.js';
import { describeError } from '../core/errors.js';

export async function enqueueMails(queues: QueueSet, logger: Logger, messageIds: readonly string[]): Promise<boolean> {
  try {
    await queues.enqueueMany(messageIds.map((messageId) => ({ name: 'mail.send' as const, payload: { messageId } })));
    return true;
  } catch (error) {
    logger.warn({ count: messageIds.length, error: describeError(error) }, 'mail not enqueued now; the reconciler will');
    return false;
  }
}
