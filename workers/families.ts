// The one list of job families. The handler map (handlers.ts), the reconciler's due work
// (due-work.ts), the queues of each role (roles.ts), what Deps holds (runtime.ts), the
// retention policy (retention/policy.ts) and, through api/families.ts, the app's routes all
// read it. Adding a family: its folder with a family.ts, its contract in queues/, a migration,
// and a line here (and in queues/registry.ts and api/families.ts: the compiler asks for both).
import type { CoreDeps, Deps } from './core/deps.js';
import type { CoreMetrics, Metrics } from './core/metrics.js';
import type { JobName, KeyedJobName } from '../queues/registry.js';
import { identityFamily } from './identity/family.js';
import { mailFamily } from './mail/family.js';
import { newsletterFamily } from './newsletter/family.js';
import { privacyFamily } from './privacy/family.js';
import { maintenanceFamily } from './retention/family.js';
import { smsFamily } from './sms/family.js';
import { temFamily } from './tem/family.js';

/** Every family but maintenance, whose purge covers their retention categories. */
const DOMAIN_FAMILIES = [identityFamily, mailFamily, smsFamily, temFamily, newsletterFamily, privacyFamily] as const;

export const FAMILIES = [...DOMAIN_FAMILIES, maintenanceFamily(DOMAIN_FAMILIES)] as const;

type Family = (typeof FAMILIES)[number];
export type FamilyName = Family['name'];

// What the compiler checks of the list, each naming what is missing:
type Handled<F> = F extends { readonly handlers: () => Promise<infer H> } ? keyof H : never;
type Reconciled<F> = F extends { readonly dueWork?: { readonly jobs: readonly (infer N)[] } } ? N : never;
type Provided<F> = F extends { readonly resources?: { create(...args: never[]): infer P } } ? keyof Awaited<P> : never;
type Measured<F> = F extends { readonly metrics?: { create(...args: never[]): infer P } } ? keyof Awaited<P> : never;
type Check<Missing> = [Missing] extends [never] ? true : { missing: Missing };

/** A job of the contract (queues/registry.ts) that no family handles. */
export const _everyJobHasAFamily: Check<Exclude<JobName, Handled<Family>>> = true;
/** A job with a deterministic id that no due-work source re-enqueues after Redis lost it. */
export const _everyKeyedJobHasDueWork: Check<Exclude<KeyedJobName, Reconciled<Family>>> = true;
/** A field of Deps that no family's resources build. */
export const _everyDepIsBuilt: Check<Exclude<keyof Deps, keyof CoreDeps | Provided<Family>>> = true;
/** A field of Metrics that no family's metrics register. */
export const _everyMetricIsRegistered: Check<Exclude<keyof Metrics, keyof CoreMetrics | Measured<Family>>> = true;
