// Every queue of the platform, from the families' contracts, each once (a family may put a job
// on another's queue, as TEM does on maintenance); the Procfile role that serves each is
// declared by its family (workers/<family>/family.ts).
import { CONTRACTS } from './registry.js';

export type QueueName = (typeof CONTRACTS)[number]['queues'][number];
export const QUEUE_NAMES: readonly QueueName[] = [...new Set(CONTRACTS.flatMap((c) => c.queues))];
