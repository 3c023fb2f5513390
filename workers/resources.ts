// What the families add to Deps (workers/core/family.ts), built at start and closed at stop in
// the order of workers/families.ts (workers/families.ts checks that every field is built).
import type { CoreDeps, Deps } from './core/deps.js';
import { FAMILIES } from './families.js';
import type { Role } from './roles.js';

export function createDeps(core: CoreDeps, roles: readonly Role[]): Deps {
  return Object.assign({ ...core }, ...FAMILIES.map((family) => family.resources?.create(core, roles))) as Deps;
}

export async function closeFamilyResources(deps: Deps): Promise<void> {
  for (const family of FAMILIES) await family.resources?.close(deps);
}
