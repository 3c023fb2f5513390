// Bull Board at /ops/queues behind the ops logins. Two boards over the same queues: the full
// ops login gets the one that acts, the read-only login one whose queues are read-only, and
// a guard refuses every non-GET request from it whatever the UI shows. While Redis is away the
// board answers 503 at once (BullMQ would wait for the connection, and the request hang), and an
// error of its API goes to the app's one error mapper: Bull Board's own answer was a 500 with
// the error's message (a Redis host and port) and, in development, its stack. Bull Board (about
// 3 MB of heap and its templates) is loaded by the first request to it, not by every web
// process at start (issue 16: a web process's memory at rest).
// Its actions on every job of a queue at once (empty, clean, obliterate, promote all) run on the
// queue set's long-command connection (QueueSet.forWholeQueue); empty and clean go a slice of
// jobs at a time (queues/whole-queue.ts), so Redis answers other clients between two slices.
import type { BullMQAdapter as Adapter } from '@bull-board/api/bullMQAdapter';
import type { RequestHandler, Router } from 'express';
import type { QueueSet } from '../queues/queue-set.js';
import { cleanInSlices, emptyInSlices } from '../queues/whole-queue.js';

export const DASHBOARD_PATH = '/ops/queues';

async function board(queues: QueueSet, readOnlyMode: boolean): Promise<Router> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([import('@bull-board/api'), import('@bull-board/api/bullMQAdapter'), import('@bull-board/express')]);
  class WholeQueueActions extends BullMQAdapter {
    private readonly whole = () => queues.forWholeQueue(this.getQueueName());
    override async clean(status: Parameters<Adapter['clean']>[0], graceTimeMs: number): Promise<void> {
      await cleanInSlices(this.whole(), graceTimeMs, status);
    }
    override empty(): Promise<void> {
      return emptyInSlices(this.whole());
    }
    override obliterate({ force = false }: { force?: boolean } = {}): Promise<void> {
      return this.whole().obliterate({ force });
    }
    override promoteAll(): Promise<void> {
      return this.whole().promoteJobs();
    }
  }
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: queues.all().map((queue) => new WholeQueueActions(queue, { readOnlyMode, allowRetries: !readOnlyMode })),
    serverAdapter,
    options: { uiConfig: { boardTitle: readOnlyMode ? 'TGG queues (read-only)' : 'TGG queues' } },
  });
  // Thrown inside Bull Board's error middleware, Express passes it on to the next error handler: the app's.
  serverAdapter.setErrorHandler((error) => {
    throw error;
  });
  return serverAdapter.getRouter() as Router;
}

/** Picks the board by the ops role that requireOps put in res.locals; each board is made on its first request. */
export function createDashboard(queues: QueueSet): RequestHandler {
  let full: Promise<Router> | undefined;
  let readOnly: Promise<Router> | undefined;
  return (req, res, next) => {
    queues.assertConnected();
    const router = res.locals.opsRole === 'ops' ? (full ??= board(queues, false)) : (readOnly ??= board(queues, true));
    router.then((handle) => handle(req, res, next), next);
  };
}
