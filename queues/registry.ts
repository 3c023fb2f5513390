// The job contract: every family's jobs (queues/<family>.ts), merged into one registry that
// producer and worker both parse with. A new family adds its contract to CONTRACTS.
import type { z } from 'zod';
import { maintenanceContract } from './maintenance.js';
import { mailContract } from './mail.js';
import { newsletterContract } from './newsletter.js';
import { privacyContract } from './privacy.js';
import { smsContract } from './sms.js';
import { temContract } from './tem.js';

export const CONTRACTS = [smsContract, temContract, mailContract, newsletterContract, privacyContract, maintenanceContract] as const;

type Contract = (typeof CONTRACTS)[number];
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type AllJobs = UnionToIntersection<Contract['jobs']>;

export const JOBS: { readonly [N in keyof AllJobs]: AllJobs[N] } = Object.assign({}, ...CONTRACTS.map((c) => c.jobs)) as AllJobs;

export type FamilyName = Contract['family'];
export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.output<(typeof JOBS)[N]['payload']>;
/** Jobs with a deterministic id: each needs a due-work source, so the reconciler can replace a lost one. */
export type KeyedJobName = { [N in JobName]: (typeof JOBS)[N] extends { readonly jobId: (payload: never) => string } ? N : never }[JobName];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/** Counts only: a job's return value is kept in Redis and shown to ops. */
export type JobResult = { readonly [count: string]: number | undefined } | undefined;
