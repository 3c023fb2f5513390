// Every domain's "due work" for the reconciler: rows that should have a live job.
import type { DueWorkSource } from './core/reconciler.js';
import { mailDueWork } from './mail/due-work.js';
import { smsDueWork } from './sms/due-work.js';
import { temDueWork } from './tem/due-work.js';

export const DUE_WORK: readonly DueWorkSource[] = [mailDueWork, smsDueWork, temDueWork];
