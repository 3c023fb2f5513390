// Every job's handler. The HandlerMap type makes a job without a handler a compile error.
import type { HandlerMap } from './core/handler.js';
import { sendMail } from './mail/send-mail.js';
import { retentionPurge } from './retention/purge-job.js';

export const HANDLERS: HandlerMap = {
  'mail.send': sendMail,
  'maintenance.retention-purge': retentionPurge,
};
