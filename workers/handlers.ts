// The handlers of the jobs a process works on, from the families' manifests (workers/families.ts).
// Each family's handlers are an `import()` (workers/core/family.ts): only a family with a job on
// one of the process's queues is loaded, so `--role web` holds none of the workers' code (the
// SMPP client, the mail transports, the bounce reader, the invoice parsers).
import type { JobContract } from '../queues/job.js';
import { QUEUE_NAMES, type QueueName } from '../queues/names.js';
import type { HandlerMap } from './core/handler.js';
import { FAMILIES } from './families.js';

/**
 * The handlers of every job on `queues`. Typed as the whole map: the job runner refuses a job
 * whose contract puts it on another queue before it looks a handler up (core/job-runner.ts).
 */
export async function loadHandlers(queues: readonly QueueName[]): Promise<HandlerMap> {
  const hasJobOn = (contract: JobContract) => Object.values(contract.jobs).some((job) => (queues as readonly string[]).includes(job.queue));
  const maps = await Promise.all(FAMILIES.flatMap((family) => ('handlers' in family && hasJobOn(family.contract) ? [family.handlers()] : [])));
  return Object.assign({}, ...maps) as HandlerMap;
}

/** Every job's handler (tests that run every queue, or replace one handler). */
export const loadAllHandlers = (): Promise<HandlerMap> => loadHandlers(QUEUE_NAMES);
