// What the families add to Deps (workers/core/family.ts), built at start and closed at stop in
// the order of workers/families.ts (workers/families.ts checks that every field is built).
import type { CoreDeps, Deps } from './core/deps.js';
import { FAMILIES } from './families.js';
import type { Role } from './roles.js';

/**
 * Every family's resources, built together. If one fails, those already built (a mail
 * transport, a worker thread pool) are closed before the error is passed on: the runtime then
 * closes the core (Redis, Postgres), and a failed start leaves nothing open.
 */
export async function createDeps(core: CoreDeps, roles: readonly Role[]): Promise<Deps> {
  const outcomes = await Promise.allSettled(FAMILIES.map((family) => Promise.resolve(family.resources?.create(core, roles))));
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    for (const [i, outcome] of outcomes.entries()) {
      const resources = FAMILIES[i]?.resources;
      if (outcome.status === 'fulfilled' && outcome.value && resources) await resources.close(outcome.value as never).catch(() => undefined);
    }
    throw failed.reason;
  }
  const added = outcomes.map((o) => (o as PromiseFulfilledResult<object | undefined>).value);
  return Object.assign({ ...core }, ...added) as Deps;
}

export async function closeFamilyResources(deps: Deps): Promise<void> {
  for (const family of FAMILIES) await family.resources?.close(deps);
}
