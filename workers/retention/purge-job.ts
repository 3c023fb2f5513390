import type { Handler } from '../core/handler.js';
import { retentionPolicy } from './policy.js';
import { purgeAll } from './purge.js';

export const retentionPurge: Handler<'maintenance.retention-purge'> = async (_payload, { deps, job, log, signal }) => {
  let done = 0;
  const policy = retentionPolicy(deps.config);
  const counts = await purgeAll(deps.db, policy, {
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
