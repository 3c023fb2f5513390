// Every job's handler. The HandlerMap type makes a job without a handler a compile error.
import type { HandlerMap } from './core/handler.js';
import { sendMail } from './mail/send-mail.js';
import { retentionPurge } from './retention/purge-job.js';
import { applyReceipts } from './sms/apply-receipts.js';
import { sendCallback } from './sms/send-callback.js';
import { sendChunk } from './sms/send-chunk.js';
import { startBatch } from './sms/start-batch.js';
import { makePartitionsJob } from './tem/partitions-job.js';
import { parseUpload } from './tem/parse-upload.js';

export const HANDLERS: HandlerMap = {
  'mail.send': sendMail,
  'sms.start-batch': startBatch,
  'sms.send-chunk': sendChunk,
  'sms.callback': sendCallback,
  'sms.apply-receipts': applyReceipts,
  'maintenance.retention-purge': retentionPurge,
  'tem.parse-upload': parseUpload,
  'maintenance.tem-partitions': makePartitionsJob,
};
