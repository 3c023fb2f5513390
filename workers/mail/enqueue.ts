import type { QueueSet } from '../../queues/queue-set.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import type { Logger } from '../core/logger.js';

/** After commit: the mail.send jobs of rows just written (the reconciler covers a Redis outage). */
export function enqueueMails(queues: QueueSet, logger: Logger, messageIds: readonly string[]): Promise<boolean> {
  return enqueueAfterCommit({ queues, logger }, messageIds.map((messageId) => ({ name: 'mail.send' as const, payload: { messageId } })));
}
