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
      onBatch: async (category, count) => {
        done += count;
        deps.metrics.retentionRemoved.inc({ category }, count);
        await addRemoved(deps.db, runId, category, count);
        log.info({ category, count }, 'retention batch purged');
        await job.updateProgress({ rows: done });
      },
    });
    await finishRun(deps.db, runId);
    log.info({ counts }, 'retention purge finished');
    return counts;
  };
}
