import type { Handler } from '../core/handler.js';
import type { RetentionCategories } from './category.js';
import { purgeAll } from './purge.js';

/** The purge job over the categories of `policy` (every family's: see workers/retention/family.ts). */
export function retentionPurge(policy: RetentionCategories): Handler<'maintenance.retention-purge'> {
  return async (_payload, { deps, job, log, signal }) => {
    let done = 0;
    const counts = await purgeAll(deps.db, policy(deps.config), {
      batchSize: deps.config.purgeBatchSize,
      signal,
      onBatch: async (category, count) => {
        done += count;
        log.info({ category, count }, 'retention batch purged');
        await job.updateProgress({ rows: done });
      },
    });
    log.info({ counts }, 'retention purge finished');
    return counts;
  };
}
