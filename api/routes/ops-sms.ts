// Ops on SMS: the deliberate resend of messages whose fate is unknown.
import { z } from 'zod';
import { opsActor } from '../../workers/core/audit.js';
import type { Deps } from '../../workers/core/deps.js';
import { enqueueAfterCommit } from '../../workers/core/enqueue-after-commit.js';
import { requeueUnknown } from '../../workers/sms/resend-unknown.js';
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
        const outcome = await requeueUnknown(deps.db, params.id, opsActor(deps.config.ops.user));
        await enqueueAfterCommit(deps, outcome.jobs, { replaceFinished: true });
        return { body: { requeued: outcome.requeued } };
      },
    }),
  ];
}
