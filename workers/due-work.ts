// Every family's "due work" for the reconciler: rows that should have a live job.
import type { DueWorkSource } from './core/reconciler.js';
import { FAMILIES } from './families.js';

export const DUE_WORK: readonly DueWorkSource[] = FAMILIES.flatMap((family) => ('dueWork' in family && family.dueWork ? [family.dueWork] : []));
