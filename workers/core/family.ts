// What a job family declares, in one object (workers/<family>/family.ts), listed once in
// workers/families.ts: its job contract (queues/<family>.ts) and a handler for each of its
// jobs (imported only by a process that works on their queues), the due work the reconciler keeps in BullMQ, the Procfile roles that serve its queues,
// its retention categories, what it adds to Deps and to Metrics. Its routes are in api/families.ts.
import type { JobContract } from '../../queues/job.js';
import type { JobName } from '../../queues/registry.js';
import type { RetentionCategories } from '../retention/category.js';
import type { Role } from '../roles.js';
import type { CoreDeps, Deps } from './deps.js';
import type { PrivacyReach } from './privacy-reach.js';
import type { Handler } from './handler.js';
import type { FamilyMetrics, Metrics } from './metrics.js';
import type { DueWorkSource } from './reconciler.js';

/** What a family adds to Deps (each family declares the fields with `declare module './deps.js'`). */
export interface FamilyResources<K extends keyof Deps> {
  /**
   * Built once per process, from the core dependencies and the roles it runs; what only some
   * roles use (an SMPP session, a mail transport) is imported by `import()` for those roles.
   */
  create(core: CoreDeps, roles: readonly Role[]): Pick<Deps, K> | Promise<Pick<Deps, K>>;
  /** On shutdown, after the workers and the queues are closed, before the database. */
  close(deps: Pick<Deps, K>): Promise<void>;
}

/** A handler per job of the contract: a job without a handler does not compile. */
export type HandlersOf<C extends JobContract> = { readonly [N in keyof C['jobs'] & JobName]: Handler<N> };

/**
 * The handlers, through `import()`: the runtime awaits it only in a process that works on a
 * queue of the family's jobs (workers/handlers.ts), so the web role never loads worker code.
 */
export type LoadHandlers<C extends JobContract> = () => Promise<HandlersOf<C>>;

interface FamilyBase<Name extends string, K extends keyof Deps, M extends keyof Metrics> {
  readonly name: Name;
  readonly retention?: RetentionCategories;
  /** How privacy requests find, erase, restrict and correct a person in this family's tables. */
  readonly privacy?: PrivacyReach;
  readonly resources?: FamilyResources<K>;
  /** Its metrics (declared with `declare module './metrics.js'`), on every process's registry. */
  readonly metrics?: FamilyMetrics<M>;
}

/** A family with jobs; `reconciled` names the jobs its due-work source re-enqueues. */
export interface JobFamily<C extends JobContract, N extends JobName, K extends keyof Deps, M extends keyof Metrics = never> extends FamilyBase<C['family'], K, M> {
  readonly contract: C;
  readonly handlers: LoadHandlers<C>;
  readonly dueWork?: DueWorkSource<N> & { readonly jobs: readonly N[] };
  /** The queues each Procfile role works on. */
  readonly roles: { readonly [R in Role]?: readonly C['queues'][number][] };
}

export function defineFamily<C extends JobContract, N extends JobName = never, K extends keyof Deps = never, M extends keyof Metrics = never>(family: JobFamily<C, N, K, M>): JobFamily<C, N, K, M> {
  return family;
}

/** A family without jobs of its own (identity: routes, tables and retention only). */
export function defineFamilyWithoutJobs<const Name extends string, K extends keyof Deps = never, M extends keyof Metrics = never>(family: FamilyBase<Name, K, M>): FamilyBase<Name, K, M> {
  return family;
}
