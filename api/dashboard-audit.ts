// Every change ops make through Bull Board (retry, clean, remove, pause, ...) lands in the
// audit log: which login, which action, on which queue, job or job scheduler. Paths carry
// only queue names, ids and job states, never payloads. The entry is written before the action
// (audit before act): an action whose entry cannot be written is refused (503 while Postgres is
// away), so there is no change ops cannot account for. The answer's status and the action's
// outcome are added to the entry when the action has ended, whether or not its client is still
// there to read the answer (one that disconnected left its entry without them): `done`,
// `failed` (refused, or known not to have reached Redis), or `unknown` (Redis did not answer in
// time, or the connection was lost with the command sent: it may well have been done; read the
// queue). An entry without an outcome is an action still running, or a process that died in it.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Db } from '../db/database.js';
import { QueueUnavailableError } from '../queues/queue-set.js';
import { auditOpened, opsActor, recordOutcome, type AuditEntry } from '../workers/core/audit.js';
import type { Logger } from '../workers/core/logger.js';

/** Bull Board's actions on a whole queue (`/api/queues/:queue/<action>[/:state]`); any other second segment is a job id. */
const QUEUE_ACTIONS = new Set(['add', 'promote', 'pause', 'resume', 'concurrency', 'rate-limit', 'empty', 'obliterate', 'retry', 'clean']);

type Described = Pick<AuditEntry, 'action' | 'entityType' | 'entityId' | 'details'>;

/** What a Bull Board API call did, read from its method and path (routes of @bull-board/api 9). */
export function describeDashboardAction(method: string, path: string): Described {
  const verb = method.toLowerCase();
  const [api, queues, queue, second, third, fourth] = path.split('/').filter(Boolean);
  if (api !== 'api' || queues !== 'queues' || queue === undefined) return { action: `dashboard.${verb}`, entityType: 'dashboard', entityId: null, details: { method, path } };
  // PUT /api/queues/pause and /resume: every queue at once.
  if (second === undefined && (queue === 'pause' || queue === 'resume')) return { action: `dashboard.${queue}`, entityType: 'queue', entityId: null, details: { method } };
  if (second === undefined) return { action: `dashboard.${verb}`, entityType: 'queue', entityId: queue, details: { method } };
  if (second === 'job-schedulers') {
    return { action: `dashboard.scheduler.${fourth ?? verb}`, entityType: 'job_scheduler', entityId: `${queue}/${third ?? ''}`, details: { method } };
  }
  if (QUEUE_ACTIONS.has(second)) {
    // retry/:state and clean/:state act on every job in that state; rate-limit/release lifts the limit.
    const action = second === 'rate-limit' && third === 'release' ? 'rate-limit.release' : second;
    return { action: `dashboard.${action}`, entityType: 'queue', entityId: queue, details: { method, ...(third && second !== 'rate-limit' && { state: third }) } };
  }
  return { action: `dashboard.${third ?? verb}`, entityType: 'job', entityId: `${queue}/${second}`, details: { method } };
}

export type ActionOutcome = 'done' | 'failed' | 'unknown';

/** Errors raised before a command left for Redis: the action was not taken. */
const NOT_SENT = /^Stream isn't writeable and enableOfflineQueue options is false$/;

/** What became of an action that answered `status`, after `error` when it failed with one. */
export function actionOutcome(status: number, error: unknown): ActionOutcome {
  if (status < 400) return 'done';
  if (status < 500) return 'failed';
  if (error instanceof QueueUnavailableError || (error instanceof Error && NOT_SENT.test(error.message))) return 'failed';
  return 'unknown';
}

const FAILURE = Symbol('dashboard action failure');
type Noted = Response & { [FAILURE]?: unknown };

/** After the board, before the app's error mapper: keeps the action's error for its audit outcome. */
export const noteDashboardFailure: ErrorRequestHandler = (error, _req, res, next) => {
  (res as Noted)[FAILURE] = error;
  next(error);
};

export function auditDashboardActions(db: Db, logger: Logger, opsUser: string): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    auditOpened(db, { ...opsActor(opsUser), ...describeDashboardAction(req.method, req.path) }).then((id) => {
      // Recorded when the answer is given, not when it reaches the client ('finish'): a client
      // that went away mid-action never sees it, and the action runs on regardless.
      const end = res.end.bind(res) as (...a: unknown[]) => Response;
      let recorded = false;
      res.end = ((...args: unknown[]) => {
        if (!recorded) {
          recorded = true;
          const outcome = { status: res.statusCode, outcome: actionOutcome(res.statusCode, (res as Noted)[FAILURE]), ...(res.destroyed && { clientGone: true }) };
          recordOutcome(db, id, outcome).catch(() => logger.warn('could not record the outcome of a dashboard action'));
        }
        return end(...args);
      }) as Response['end'];
      next();
    }, next);
  };
}
