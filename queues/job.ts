// What a job is in the contract: its queue, payload schema (ids and small options, never
// personal data), id policy, options, and the cron pattern of a scheduled job. Each family
// declares its jobs in one contract (queues/<family>.ts), listed in queues/registry.ts.
import type { z } from 'zod';

export interface JobSchedule {
  /** The job scheduler's key in Redis. */
  readonly id: string;
  readonly pattern: string;
  readonly tz: string;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType, Q extends string = string> {
  readonly queue: Q;
  readonly payload: S;
  /** Deterministic id, so a second enqueue of the same work is a no-op. No ':' (BullMQ forbids it). */
  readonly jobId?: (payload: z.output<S>) => string;
  readonly attempts?: number;
  /** Lower runs first (BullMQ priority, 1 is highest); unset is FIFO ahead of every priority. */
  readonly priority?: number;
  /** A job the scheduler role adds on this cron pattern (its payload is `{}`). */
  readonly schedule?: JobSchedule;
}

/** A job with a deterministic id: the reconciler must be able to find its due rows. */
export type KeyedJobDefinition<S extends z.ZodType, Q extends string> = JobDefinition<S, Q> & {
  readonly jobId: (payload: z.output<S>) => string;
};

/** Keeps in the type whether a job has a deterministic id (see KeyedJobName). */
export function defineJob<S extends z.ZodType, const Q extends string>(definition: KeyedJobDefinition<S, Q>): KeyedJobDefinition<S, Q>;
export function defineJob<S extends z.ZodType, const Q extends string>(definition: JobDefinition<S, Q>): JobDefinition<S, Q>;
export function defineJob<S extends z.ZodType, const Q extends string>(definition: JobDefinition<S, Q>): JobDefinition<S, Q> {
  return definition;
}

/** Any job on one of the queues Q, whatever its payload. */
export type JobOn<Q extends string> = Omit<JobDefinition, 'queue' | 'jobId'> & { readonly queue: Q; readonly jobId?: (payload: never) => string };

/** One family's part of the contract: the queues it owns and the jobs on them. */
export interface JobContract<F extends string = string, Q extends string = string, J extends Readonly<Record<string, JobOn<Q>>> = Readonly<Record<string, JobOn<Q>>>> {
  readonly family: F;
  readonly queues: readonly Q[];
  readonly jobs: J;
}

export function defineContract<const F extends string, const Q extends string, J extends Readonly<Record<string, JobOn<Q>>>>(
  contract: JobContract<F, Q, J>,
): JobContract<F, Q, J> {
  return contract;
}
