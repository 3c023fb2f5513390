// The maintenance family: the nightly retention purge, on the scheduler role. It purges the
// categories of the families it is given (workers/families.ts gives it every other one).
import { maintenanceContract } from '../../queues/maintenance.js';
import { defineFamily } from '../core/family.js';
import { policyOf, type RetentionCategories } from './category.js';
import { maintenanceMetrics } from './metrics.js';

export function maintenanceFamily(families: readonly { readonly retention?: RetentionCategories }[]) {
  return defineFamily({
    name: 'maintenance',
    contract: maintenanceContract,
    handlers: async () => ({
      'maintenance.retention-purge': (await import('./purge-job.js')).retentionPurge((settings) => policyOf(families, settings)),
    }),
    roles: { scheduler: ['maintenance'] },
    metrics: maintenanceMetrics,
  });
}
