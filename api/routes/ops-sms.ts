// Ops on SMS: the deliberate resend of messages whose fate is unknown.
import { z } from 'zod';
import { audit, opsActor } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { chunkJobs } from '../../workers/sms/chunk-jobs.js';
import { requeueUnknown } from '../../workers/sms/resend-unknown.js';
import { notFound } from '../problem.js';
import { defineRoute, type Route } from '../route.js';

export function opsSmsRoutes(deps: Deps): Route[] {
  return [
    defineRoute({
      method: 'post',
      path: '/ops/sms/batches/{id}/resend-unknown',
      summary: "Send again every message of a batch whose status is unknown (they may have gone out already: ops decide)",
      tags: ['ops'],
      security: 'ops-write',
      params: z.object({ id: z.uuid() }),
      responses: { 200: { description: 'queued again', schema: z.object({ requeued: z.number().int() }) }, 404: { description: 'no such batch' } },
      handler: async ({ params }) => {
        const outcome = await requeueUnknown(deps.db, params.id);
        if (!outcome) throw notFound('No such batch.');
        await audit(deps.db, { ...opsActor(deps.config.ops.user), action: 'sms.batch.resend_unknown', entityType: 'sms_batch', entityId: params.id, details: { requeued: outcome.requeued } });
        await enqueueAfterCommit(deps, chunkJobs(params.id, outcome.chunks), { replaceFinished: true });
        return { body: { requeued: outcome.requeued } };
      },
    }),
  ];
}
