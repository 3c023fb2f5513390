// Bull Board at /ops/queues behind the ops logins. Two boards over the same queues: the full
// ops login gets the one that acts, the read-only login one whose queues are read-only, and
// a guard refuses every non-GET request from it whatever the UI shows.
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { RequestHandler, Router } from 'express';
import type { QueueSet } from '../queues/queue-set.js';

export const DASHBOARD_PATH = '/ops/queues';

function board(queues: QueueSet, readOnlyMode: boolean): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode, allowRetries: !readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'TGG queues (read-only)' : 'TGG queues' } },
  });
  return serverAdapter.getRouter() as Router;
}

/** Picks the board by the ops role that requireOps put in res.locals. */
export function createDashboard(queues: QueueSet): RequestHandler {
  const full = board(queues, false);
  const readOnly = board(queues, true);
  return (req, res, next) => {
    (res.locals.opsRole === 'ops' ? full : readOnly)(req, res, next);
  };
}
