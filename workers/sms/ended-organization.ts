// A batch of an organisation that ended while the batch was taken in (its intake committed as
// the end ran, so the end's cancel did not see it): the send finds it and cancels what the end
// would have, before anything of it goes (send-chunk.ts). Audited as the platform's doing.
import { bulkTransaction } from '../../db/database.js';
import type { Deps } from '../core/deps.js';
import { enqueueAfterCommit } from '../core/enqueue-after-commit.js';
import { cancelOpenBatches } from './cancel-batch.js';

export async function cancelForEndedOrganization(deps: Pick<Deps, 'db'> & Parameters<typeof enqueueAfterCommit>[0], organizationId: string): Promise<void> {
  const actor = { actorType: 'system', actorId: 'organization-ended', organizationId } as const;
  const jobs = await bulkTransaction(deps.db, (trx) => cancelOpenBatches(trx, organizationId, actor));
  await enqueueAfterCommit(deps, jobs);
}
