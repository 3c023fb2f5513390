// Every change ops make through Bull Board (retry, clean, remove, pause, ...) lands in the
// audit log: which login, which action, on which queue, job or job scheduler. Paths carry
// only queue names, ids and job states, never payloads. The entry is written before the action
// (audit before act): an action whose entry cannot be written is refused (503 while Postgres is
// away), so there is no change ops cannot account for. The answer's status is added to the
// entry afterwards; an entry without one is an action whose outcome was not recorded.
import type { RequestHandler } from 'express';
import type { Db } from '../db/database.js';
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

export function auditDashboardActions(db: Db, logger: Logger, opsUser: string): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    auditOpened(db, { ...opsActor(opsUser), ...describeDashboardAction(req.method, req.path) }).then((id) => {
      res.on('finish', () => {
        recordOutcome(db, id, { status: res.statusCode }).catch(() => logger.warn('could not record the outcome of a dashboard action'));
      });
      next();
    }, next);
  };
}
