// The job contract: each job's queue, payload schema (ids and small options, never personal
// data), id policy and default options. Producer and worker both parse with the same schema.
import { z } from 'zod';
import type { QueueName } from './names.js';

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  readonly queue: QueueName;
  readonly payload: S;
  /** Deterministic id, so a second enqueue of the same work is a no-op. No ':' (BullMQ forbids it). */
  readonly jobId?: (payload: z.output<S>) => string;
  readonly attempts?: number;
  /** Lower runs first (BullMQ priority, 1 is highest); unset is FIFO ahead of every priority. */
  readonly priority?: number;
}

const define = <S extends z.ZodType>(definition: JobDefinition<S>) => definition;

export const JOBS = {
  /** One transactional mail (password reset, opt-in confirmation, ...) by its mail_messages row. */
  'mail.send': define({
    queue: 'mail',
    payload: z.strictObject({ messageId: z.uuid() }),
    jobId: (p) => `mail-${p.messageId}`,
    attempts: 8,
  }),
  /** A scheduled SMS batch whose send_at has come: queue it and fan out its chunks. */
  'sms.start-batch': define({
    queue: 'sms',
    payload: z.strictObject({ batchId: z.uuid() }),
    jobId: (p) => `sms-start-${p.batchId}`,
  }),
  /** One chunk of a batch (a range of its messages); priority by chunk number keeps small batches fast. */
  'sms.send-chunk': define({
    queue: 'sms',
    payload: z.strictObject({ batchId: z.uuid(), chunk: z.number().int().min(0) }),
    jobId: (p) => `sms-${p.batchId}-${p.chunk}`,
    attempts: 10,
  }),
  /** One signed status callback to the organisation's callbackUrl. */
  'sms.callback': define({
    queue: 'sms-reports',
    payload: z.strictObject({ callbackId: z.number().int().positive() }),
    jobId: (p) => `sms-callback-${p.callbackId}`,
    attempts: 12,
  }),
  /** Apply the delivery receipts stored since the last run (one job per second at most). */
  'sms.apply-receipts': define({
    queue: 'sms-reports',
    payload: z.strictObject({ bucket: z.number().int().min(0) }),
    jobId: (p) => `sms-receipts-${p.bucket}`,
  }),
  /** The nightly retention purge: every category of the retention policy, in bounded batches. */
  'maintenance.retention-purge': define({
    queue: 'maintenance',
    payload: z.strictObject({}),
    attempts: 3,
  }),
  // Telecom Expense Management
  /** Parse one upload into call records and period charges, in one transaction. */
  'tem.parse-upload': define({
    queue: 'invoices',
    payload: z.strictObject({ uploadId: z.uuid() }),
    jobId: (p) => `tem-parse-${p.uploadId}`,
    attempts: 5,
  }),
  /** Make the monthly partitions of call_records ahead of time (nightly, and before each parse). */
  'maintenance.tem-partitions': define({
    queue: 'maintenance',
    payload: z.strictObject({}),
    attempts: 3,
  }),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]['payload']>;
export type JobsOf<Q extends QueueName> = {
  [N in JobName]: (typeof JOBS)[N]['queue'] extends Q ? N : never;
}[JobName];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/** Counts only: a job's return value is kept in Redis and shown to ops. */
export type JobResult = { readonly [count: string]: number | undefined } | undefined;
