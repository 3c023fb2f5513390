import type { Handler } from '../core/handler.js';
import type { RetentionCategories } from './category.js';
import { purgeAll } from './purge.js';
import { addRemoved, finishRun, startRun } from './runs.js';

/** The purge job over the categories of `policy` (every family's: see workers/retention/family.ts). */
export function retentionPurge(policy: RetentionCategories): Handler<'maintenance.retention-purge'> {
  return async (_payload, { deps, job, log, signal }) => {
    let done = 0;
    const runId = await startRun(deps.db);
    const counts = await purgeAll(deps.db, policy(deps.config), {
      batchSize: deps.config.purgeBatchSize,
      signal,
      record: (trx, category, count) => addRemoved(trx, runId, category, count),
      onBatch: async (category, count) => {
        done += count;
        deps.metrics.retentionRemoved.inc({ category }, count);
        log.info({ category, count }, 'retention batch purged');
        await job.updateProgress({ rows: done });
      },
    });
    await finishRun(deps.db, runId);
    log.info({ counts }, 'retention purge finished');
    return counts;
  };
}
