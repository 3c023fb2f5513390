// After a commit: enqueue the jobs of rows just written. If Redis is away the rows stay due
// and the reconciler enqueues them later, so the caller never fails for it.
import type { JobRequest } from '../../queues/queue-set.js';
import type { Deps } from './deps.js';
import { describeError } from './errors.js';

export async function enqueueAfterCommit(deps: Pick<Deps, 'queues' | 'logger'>, requests: readonly JobRequest[], options: { replaceFinished?: boolean } = {}): Promise<boolean> {
  if (requests.length === 0) return true;
  try {
    // A deliberate change: a job of the same id that is running may have missed it (queue-set.ts).
    if (options.replaceFinished) await deps.queues.enqueueUnlessLive(requests, { followActive: true });
    else await deps.queues.enqueueMany(requests);
    return true;
  } catch (error) {
    deps.logger.warn({ count: requests.length, error: describeError(error) }, 'jobs not enqueued now; the reconciler will');
    return false;
  }
}
