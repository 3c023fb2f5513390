// How a Bull Board API call is named in the audit log: queue-wide actions on the queue, job
// actions on the job, scheduler actions on the scheduler (no database needed).
import { describe, expect, it } from 'vitest';
import { describeDashboardAction } from '../api/dashboard-audit.js';

describe('dashboard audit entries', () => {
  it.each([
    ['PUT', '/api/queues/mail/1234/retry', { action: 'dashboard.retry', entityType: 'job', entityId: 'mail/1234' }],
    ['PUT', '/api/queues/sms/retry/failed', { action: 'dashboard.retry', entityType: 'queue', entityId: 'sms', details: { method: 'PUT', state: 'failed' } }],
    ['PUT', '/api/queues/sms/clean/completed', { action: 'dashboard.clean', entityType: 'queue', entityId: 'sms', details: { method: 'PUT', state: 'completed' } }],
    ['PUT', '/api/queues/sms/pause', { action: 'dashboard.pause', entityType: 'queue', entityId: 'sms' }],
    ['PUT', '/api/queues/pause', { action: 'dashboard.pause', entityType: 'queue', entityId: null }],
    ['PUT', '/api/queues/sms/rate-limit/release', { action: 'dashboard.rate-limit.release', entityType: 'queue', entityId: 'sms', details: { method: 'PUT' } }],
    ['PUT', '/api/queues/maintenance/job-schedulers/retention-purge/run', { action: 'dashboard.scheduler.run', entityType: 'job_scheduler', entityId: 'maintenance/retention-purge' }],
    ['DELETE', '/api/queues/mail/1234', { action: 'dashboard.delete', entityType: 'job', entityId: 'mail/1234' }],
    ['POST', '/api/metrics/history/purge', { action: 'dashboard.post', entityType: 'dashboard', entityId: null }],
  ])('%s %s', (method, path, expected) => {
    expect(describeDashboardAction(method, path)).toMatchObject(expected);
  });
});
