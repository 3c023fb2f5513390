// What the families add to Deps (workers/core/family.ts), built at start and closed at stop in
// the order of workers/families.ts (workers/families.ts checks that every field is built).
import type { CoreDeps, Deps } from './core/deps.js';
import { FAMILIES } from './families.js';
import type { Role } from './roles.js';

export async function createDeps(core: CoreDeps, roles: readonly Role[]): Promise<Deps> {
  const added = await Promise.all(FAMILIES.map((family) => Promise.resolve(family.resources?.create(core, roles))));
  return Object.assign({ ...core }, ...added) as Deps;
}

export async function closeFamilyResources(deps: Deps): Promise<void> {
  for (const family of FAMILIES) await family.resources?.close(deps);
}
