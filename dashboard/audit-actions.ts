// Every change ops make through Bull Board (retry, clean, remove, pause, ...) lands in the
// audit log: which login, which action, which queue and job. Paths carry only queue names
// and job ids, never payloads.
import type { RequestHandler } from 'express';
import type { Db } from '../db/database.js';
import { audit } from '../workers/core/audit.js';
import type { Logger } from '../workers/core/logger.js';

const QUEUE_ACTION = /^\/api\/queues\/([\w-]+)(?:\/([\w-]+))?(?:\/([\w-]+))?/;

export function auditDashboardActions(db: Db, logger: Logger, opsUser: string): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.on('finish', () => {
      if (res.statusCode >= 400) return;
      const [, queue = null, second = null, third = null] = QUEUE_ACTION.exec(req.path) ?? [];
      const jobAction = third !== null;
      audit(db, {
        actorType: 'ops',
        actorId: opsUser,
        action: `dashboard.${jobAction ? third : (second ?? req.method.toLowerCase())}`,
        entityType: jobAction ? 'job' : 'queue',
        entityId: jobAction ? `${queue}/${second}` : queue,
        details: { method: req.method },
      }).catch(() => logger.warn('could not write the audit entry of a dashboard action'));
    });
    next();
  };
}
